package dev.verdant.onnx;

import ai.onnx.proto.OnnxMl.ModelProto;
import dev.verdant.onnx.testing.TinyBertBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OnnxGraphsTest {

    @Test
    void writesAndReadsBackByteForByte(@TempDir Path directory) throws IOException {
        ModelProto model = TinyBertBuilder.tiny().build();
        Path file = directory.resolve("nested/dir/tiny.onnx");

        OnnxGraphs.write(model, file);

        assertArrayEquals(model.toByteArray(), Files.readAllBytes(file));
        assertEquals(model, OnnxGraphs.read(file));
        try (var listing = Files.list(file.getParent())) {
            assertEquals(1, listing.count(), "no partial file left behind");
        }
    }

    @Test
    void replacesAnExistingFile(@TempDir Path directory) throws IOException {
        Path file = directory.resolve("model.onnx");
        OnnxGraphs.write(TinyBertBuilder.tiny().seed(1).build(), file);
        ModelProto second = TinyBertBuilder.tiny().seed(2).build();

        OnnxGraphs.write(second, file);

        assertEquals(second, OnnxGraphs.read(file));
    }

    @Test
    void refusesFilesOverTheLimitBeforeParsing(@TempDir Path directory) throws IOException {
        Path file = TinyBertBuilder.tiny().writeTo(directory.resolve("model.onnx"));
        long size = Files.size(file);

        IOException tooLarge = assertThrows(IOException.class, () -> OnnxGraphs.read(file, size - 1));

        assertTrue(tooLarge.getMessage().contains("over the limit"), tooLarge.getMessage());
        assertEquals(TinyBertBuilder.tiny().build(), OnnxGraphs.read(file, size));
    }
}
