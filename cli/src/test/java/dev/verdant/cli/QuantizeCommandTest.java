package dev.verdant.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.verdant.onnx.testing.TinyBertBuilder;
import dev.verdant.onnx.testing.WordPieceTokenizerJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QuantizeCommandTest {
    @TempDir
    Path dir;


    @Test
    void quantizesATinyModelToAFile() throws IOException {
        Path model = TinyBertBuilder.tiny().layers(1).hidden(32).heads(2).ffn(64).writeTo(dir.resolve("tiny.onnx"));
        Path out = dir.resolve("out/tiny-int8.onnx");

        CliRun result = CliRun.of("quantize", "--model", model.toString(), "--out", out.toString(), "--mode", "dynamic-int8",
                "--exclude", "nothing-by-this-name");

        assertThat(result.code()).as(result.err()).isZero();
        assertThat(result.out()).contains("6 MatMuls and 3 embedding Gathers quantized").contains("nothing-by-this-name")
                .contains("smoothed=0(no tokenizer").contains("note: no --tokenizer, so no smoothing");
        assertThat(Files.size(out)).isLessThan(Files.size(model));
    }

    @Test
    void everyModeWritesAModel() throws IOException {
        Path model = TinyBertBuilder.tiny().layers(1).hidden(32).heads(2).ffn(64).writeTo(dir.resolve("tiny.onnx"));
        Path tokenizer = Files.writeString(dir.resolve("tokenizer.json"),
                WordPieceTokenizerJson.of(100, java.util.List.of("a man is playing", "the cat sits")));
        Path texts = Files.writeString(dir.resolve("calibration.tsv"),
                "score\tsentence1\tsentence2\n5.0\ta man is playing\tthe cat sits\n");

        CliRun dynamic = CliRun.of("quantize", "--model", model.toString(), "--out", dir.resolve("dynamic.onnx").toString(),
                "--tokenizer", tokenizer.toString(), "--calibration", texts.toString());
        assertThat(dynamic.code()).as(dynamic.err()).isZero();
        assertThat(dynamic.out()).contains("dynamic-int8, 6 MatMuls").contains("smoothing=0.6,smoothed=2")
                .doesNotContain("note: no --tokenizer");

        CliRun fp16 = CliRun.of("quantize", "--model", model.toString(), "--out", dir.resolve("fp16.onnx").toString(), "--mode", "fp16");
        assertThat(fp16.code()).as(fp16.err()).isZero();
        assertThat(fp16.out()).contains("fp16, 6 MatMuls");

        CliRun int4 = CliRun.of("quantize", "--model", model.toString(), "--out", dir.resolve("int4.onnx").toString(), "--mode", "int4",
                "--block-size", "32");
        assertThat(int4.code()).as(int4.err()).isZero();
        assertThat(int4.out()).contains("int4, 6 MatMuls").contains("skipLayerNorm=3,attention=1");

        CliRun unfused = CliRun.of("quantize", "--model", model.toString(), "--out", dir.resolve("plain.onnx").toString(),
                "--mode", "fp16", "--no-fusion");
        assertThat(unfused.code()).as(unfused.err()).isZero();
        assertThat(unfused.out()).doesNotContain("skipLayerNorm");

        CliRun staticInt8 = CliRun.of("quantize", "--model", model.toString(), "--out", dir.resolve("static.onnx").toString(),
                "--mode", "static-int8", "--tokenizer", tokenizer.toString(), "--calibration", texts.toString(),
                "--calibration-method", "entropy");
        assertThat(staticInt8.code()).as(staticInt8.err()).isZero();
        assertThat(staticInt8.out()).contains("static-int8, 6 MatMuls").contains("4 activation quantizers");
        assertThat(Files.size(dir.resolve("static.onnx"))).isLessThan(Files.size(model));
    }

    @Test
    void unknownModesAndBadInputsAreClearErrors() throws IOException {
        Path model = TinyBertBuilder.tiny().layers(1).hidden(32).heads(2).ffn(64).writeTo(dir.resolve("tiny.onnx"));
        CliRun mode = CliRun.of("quantize", "--model", model.toString(), "--out", dir.resolve("x.onnx").toString(), "--mode", "int2");
        assertThat(mode.code()).isEqualTo(2);
        assertThat(mode.err()).contains("int2").contains("dynamic-int8, static-int8, fp16, int4");

        CliRun noTokenizer = CliRun.of("quantize", "--model", model.toString(), "--out", dir.resolve("x.onnx").toString(),
                "--mode", "static-int8");
        assertThat(noTokenizer.code()).isEqualTo(2);
        assertThat(noTokenizer.err()).contains("--tokenizer");

        CliRun block = CliRun.of("quantize", "--model", model.toString(), "--out", dir.resolve("x.onnx").toString(),
                "--mode", "int4", "--block-size", "48");
        assertThat(block.code()).isEqualTo(2);
        assertThat(block.err()).contains("blockSize 48").contains("32, 64 or 128");

        Path corrupt = Files.writeString(dir.resolve("corrupt.onnx"), "not a model");
        CliRun bad = CliRun.of("quantize", "--model", corrupt.toString(), "--out", dir.resolve("y.onnx").toString());
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("CORRUPT_INPUT");
    }
}
