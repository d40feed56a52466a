package dev.verdant.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.verdant.onnx.testing.TinyBertBuilder;
import dev.verdant.onnx.testing.WordPieceTokenizerJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DistillCommandTest {
    @TempDir
    Path dir;


    private static List<String> sentences() {
        List<String> out = new ArrayList<>();
        String[] subjects = {"a man", "a woman", "the dog", "two kids", "a cat", "the chef", "a bird", "my friend"};
        String[] verbs = {"is playing", "plays", "is eating", "watches", "is cutting", "rides"};
        for (String subject : subjects) {
            for (String verb : verbs) {
                out.add(subject + " " + verb + " in the park .");
            }
        }
        return out;
    }

    @Test
    void distilsATinyModelWithAProgressBar() throws IOException {
        Path teacher = TinyBertBuilder.tiny().layers(4).vocabulary(300).maxPositions(128).writeTo(dir.resolve("tiny.onnx"));
        Path tokenizer = Files.writeString(dir.resolve("tokenizer.json"), WordPieceTokenizerJson.of(300, sentences()));
        Path corpus = Files.write(dir.resolve("corpus.txt"), sentences());
        Path out = dir.resolve("out/student.onnx");

        CliRun result = CliRun.of("distill", "--teacher", teacher.toString(), "--tokenizer", tokenizer.toString(),
                "--out", out.toString(), "--layers", "2", "--steps", "6", "--batch-size", "8", "--corpus", corpus.toString(),
                "--threads", "1");

        assertThat(result.code()).as(result.err()).isZero();
        assertThat(result.err()).contains("training (2 of 4 layers, teacher layers [1, 3])").contains("] 6/6 loss ");
        assertThat(result.out()).contains("layers     2 of 4, from teacher layers [1, 3]")
                .contains("training   6 steps of 8 sentences (48 distinct)").contains("min cosine");
        assertThat(Files.size(out)).isLessThan(Files.size(teacher));
    }

    @Test
    void badArgumentsAreClearErrors() throws IOException {
        Path teacher = TinyBertBuilder.tiny().layers(2).vocabulary(300).maxPositions(128).writeTo(dir.resolve("tiny.onnx"));
        Path tokenizer = Files.writeString(dir.resolve("tokenizer.json"), WordPieceTokenizerJson.of(300, sentences()));
        CliRun steps = CliRun.of("distill", "--teacher", teacher.toString(), "--tokenizer", tokenizer.toString(),
                "--out", dir.resolve("x.onnx").toString(), "--steps", "0");
        assertThat(steps.code()).isEqualTo(2);
        assertThat(steps.err()).contains("steps must be between 1 and 1000000, got 0");

        CliRun layers = CliRun.of("distill", "--teacher", teacher.toString(), "--tokenizer", tokenizer.toString(),
                "--out", dir.resolve("x.onnx").toString(), "--layers", "3", "--corpus",
                Files.write(dir.resolve("c.txt"), sentences()).toString(), "--quiet");
        assertThat(layers.code()).isEqualTo(2);
        assertThat(layers.err()).contains("layers 3 is more than the teacher's 2").contains("UNSUPPORTED_ARCHITECTURE");

        CliRun missing = CliRun.of("distill", "--teacher", dir.resolve("none.onnx").toString(), "--tokenizer",
                tokenizer.toString(), "--out", dir.resolve("x.onnx").toString(), "--quiet");
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains("none.onnx").contains("does not exist");
    }

    @Test
    void progressLineShowsStepsLossRateAndEta() {
        String line = DistillCommand.ProgressBar.line(150, 300, 0.12345, 150, 50_000_000_000L);
        assertThat(line).startsWith("[###############---------------] 150/300 loss 0.1235  3.00 steps/s  ETA 0m50s");
    }
}
