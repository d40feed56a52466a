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

/** verdant bench on tiny BERTs: the whole command, every section of the markdown, and its refusals. */
class BenchCommandTest {
    @TempDir
    Path dir;

    private static List<String> sentences() {
        List<String> out = new ArrayList<>();
        for (String subject : new String[] {"a man", "a woman", "the dog", "two kids", "a cat", "the chef"}) {
            for (String verb : new String[] {"is playing", "plays", "is eating", "watches", "is cutting", "rides"}) {
                out.add(subject + " " + verb + " in the park .");
            }
        }
        return out;
    }

    @Test
    void benchmarksTheDefaultRecipeOnATinyModel() throws IOException {
        Path model = TinyBertBuilder.tiny().layers(2).vocabulary(300).maxPositions(128).writeTo(dir.resolve("tiny.onnx"));
        Path student = TinyBertBuilder.tiny().layers(1).vocabulary(300).maxPositions(128).seed(7)
                .writeTo(dir.resolve("student.onnx"));
        Path tokenizer = Files.writeString(dir.resolve("tokenizer.json"), WordPieceTokenizerJson.of(300, sentences()));
        Path out = dir.resolve("docs/bench.md");

        CliRun run = CliRun.of("--workspace", dir.resolve("ws").toString(), "bench", "--model", model.toString(),
                "--tokenizer", tokenizer.toString(), "--student", student.toString(), "--pairs", "10", "--rounds", "1",
                "--overhead-reps", "2", "--overhead-batches", "1", "--scaling-jobs", "2", "--scaling-pairs", "5",
                "--scaling-reps", "1", "--threads", "1", "--out", out.toString());

        assertThat(run.code()).as(run.err()).isZero();
        String md = Files.readString(out);
        assertThat(run.out()).contains(md).contains("written to " + out);
        assertThat(md).contains("./verdant --workspace " + dir.resolve("ws") + " bench --model " + model + " --tokenizer " + tokenizer)
                .contains("## Every variant of the default recipe, beside fp32\n")
                .contains("Quality: STS-B test, 10 pairs")
                .containsPattern("\\| fp32 \\| [0-9.]+ \\| 1\\.00x \\|")
                .containsPattern("\\| int8-dynamic \\| [0-9.]+ \\| 0\\.[0-9]+x \\|")
                .contains("| int8-static |").contains("| ffn-pruned |")
                .contains("| student |").contains("given with --student " + student)
                .contains("| student-int8 |").contains("quantize {mode=dynamic-int8} from student")
                .contains("1 round; in each round every model is evaluated once")
                // fp32 against itself in the same round: exactly 1
                .contains("| fp32 | 1.00x | 1.00x | 1.00x |")
                .contains("| bare ORT (pre-tokenized) |").contains("| harness: tokenizer + DJL + pooling |")
                .contains("Skipped: no finished run in " + dir.resolve("ws/infra/s3/blobs/verdant"))
                .contains("2 evaluation jobs").contains("| 1 |").contains("| 2 |");
        assertThat(md).doesNotContain("ORT INT8 (reference)");
        // low-rank either made a smaller model or is listed as missing with its reason: never silently absent
        assertThat(md.contains("| low-rank |") || md.contains("**low-rank** is missing: ")).isTrue();
        assertThat(Files.isRegularFile(dir.resolve("ws/bench/int8-dynamic.onnx"))).isTrue();
    }

    @Test
    void badOptionsAreClearErrorsBeforeAnythingRuns() {
        CliRun pairs = CliRun.of("bench", "--pairs", "-1");
        assertThat(pairs.code()).isEqualTo(2);
        assertThat(pairs.err()).contains("--pairs must be 0 (the full split) or more, got -1");

        CliRun rounds = CliRun.of("bench", "--rounds", "0");
        assertThat(rounds.code()).isEqualTo(2);
        assertThat(rounds.err()).contains("--rounds must be at least 1");

        CliRun run = CliRun.of("bench", "--run", "../x");
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).contains("is not a run id");

        CliRun missing = CliRun.of("--workspace", dir.toString(), "bench", "--model", dir.resolve("none.onnx").toString(),
                "--tokenizer", dir.resolve("t.json").toString());
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains("--model " + dir.resolve("none.onnx") + " is not a file");
    }
}
