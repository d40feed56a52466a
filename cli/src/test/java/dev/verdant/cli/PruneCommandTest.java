package dev.verdant.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.verdant.onnx.OnnxGraphs;
import dev.verdant.onnx.Tensors;
import dev.verdant.onnx.testing.TinyBertBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PruneCommandTest {
    @TempDir
    Path dir;


    private Path tiny() throws IOException {
        return TinyBertBuilder.tiny().layers(2).hidden(32).heads(4).ffn(64).writeTo(dir.resolve("tiny.onnx"));
    }

    @Test
    void prunesFeedForwardNeuronsToAFile() throws IOException {
        Path model = tiny();
        Path out = dir.resolve("out/tiny-ffn.onnx");

        CliRun result = CliRun.of("prune", "--model", model.toString(), "--out", out.toString(), "--method", "ffn", "--amount", "0.25");

        assertThat(result.code()).as(result.err()).isZero();
        assertThat(result.out()).contains("ffn 0.25 (per-layer)").contains("neurons 64 -> 48");
        var pruned = OnnxGraphs.read(out);
        var w1 = pruned.getGraph().getInitializerList().stream()
                .filter(t -> t.getName().equals("encoder.layer.1.intermediate.dense.weight")).findFirst().orElseThrow();
        assertThat(Tensors.dims(w1)).containsExactly(32, 48);
        assertThat(Files.size(out)).isLessThan(Files.size(model));
    }

    @Test
    void headsAndUnstructuredSayWhatTheyDid() throws IOException {
        Path model = tiny();
        CliRun heads = CliRun.of("prune", "--model", model.toString(), "--out", dir.resolve("h.onnx").toString(),
                "--method", "heads", "--amount", "0.5", "--scope", "global");
        assertThat(heads.code()).as(heads.err()).isZero();
        assertThat(heads.out()).contains("heads 0.5 (global)").contains("heads 4 ->");

        CliRun sparse = CliRun.of("prune", "--model", model.toString(), "--out", dir.resolve("u.onnx").toString(),
                "--method", "unstructured", "--amount", "0.5");
        assertThat(sparse.code()).as(sparse.err()).isZero();
        assertThat(sparse.out()).contains("nonzero weights").contains("(50.0% zero)").contains("note:").contains("original speed");
    }

    @Test
    void calibrationSentencesRankTheNeuronsByTheirActivations() throws IOException {
        Path model = TinyBertBuilder.tiny().layers(2).hidden(32).heads(4).ffn(64).vocabulary(120).maxPositions(128)
                .writeTo(dir.resolve("tiny.onnx"));
        Files.writeString(dir.resolve("tokenizer.json"), dev.verdant.onnx.testing.WordPieceTokenizerJson.of(120));
        Path tsv = Files.writeString(dir.resolve("calibration.tsv"),
                "score\tsentence1\tsentence2\n4.8\ta man is playing a guitar\ta man plays the guitar\n# comment\n\nthe cat sat on the mat\n");
        Path out = dir.resolve("calibrated.onnx");

        CliRun result = CliRun.of("prune", "--model", model.toString(), "--out", out.toString(), "--method", "ffn",
                "--amount", "0.5", "--calibration", tsv.toString());

        assertThat(result.code()).as(result.err()).isZero();
        assertThat(result.out()).contains("calibration: calibration.tsv, 3 sentences; ").contains("neurons 64 -> 32")
                .contains("criterion activations");
        // The weight-norm ranking and the activation ranking choose differently.
        Path plain = dir.resolve("plain.onnx");
        CliRun weights = CliRun.of("prune", "--model", model.toString(), "--out", plain.toString(), "--method", "ffn",
                "--amount", "0.5");
        assertThat(weights.code()).isZero();
        assertThat(weights.out()).contains("criterion weight-norms");
        assertThat(Files.readAllBytes(out)).isNotEqualTo(Files.readAllBytes(plain));

        CliRun noTokenizer = CliRun.of("prune", "--model", model.toString(), "--out", out.toString(), "--method", "ffn",
                "--amount", "0.5", "--calibration", tsv.toString(), "--tokenizer", dir.resolve("missing.json").toString());
        assertThat(noTokenizer.code()).isEqualTo(2);
        assertThat(noTokenizer.err()).contains("missing.json").contains("--tokenizer");
        CliRun heads = CliRun.of("prune", "--model", model.toString(), "--out", out.toString(), "--method", "heads",
                "--amount", "0.5", "--calibration", tsv.toString());
        assertThat(heads.code()).as(heads.err()).isZero();
        assertThat(heads.out()).contains("criterion activations").contains("heads 4 -> 2");
        CliRun lowrank = CliRun.of("prune", "--model", model.toString(), "--out", out.toString(), "--method", "lowrank",
                "--amount", "0.5", "--calibration", tsv.toString());
        assertThat(lowrank.code()).isEqualTo(2);
        assertThat(lowrank.err()).contains("lowrank factorizes the weights alone");
    }

    @Test
    void unstructuredWithCalibrationIsWandaOnTheShippedStsbTrainSentences() throws IOException {
        Path model = TinyBertBuilder.tiny().layers(2).hidden(32).heads(4).ffn(64).vocabulary(120).maxPositions(128)
                .writeTo(dir.resolve("tiny.onnx"));
        Files.writeString(dir.resolve("tokenizer.json"), dev.verdant.onnx.testing.WordPieceTokenizerJson.of(120));
        Path out = dir.resolve("wanda.onnx");

        CliRun result = CliRun.of("prune", "--model", model.toString(), "--out", out.toString(), "--method", "unstructured",
                "--amount", "0.5", "--calibration", "stsb-train", "--calibration-sentences", "20");

        assertThat(result.code()).as(result.err()).isZero();
        assertThat(result.out()).contains("calibration: STS-B train, first 20 sentences; ").contains("criterion wanda")
                .contains("(50.0% zero)").contains("Wanda");
        var metadata = OnnxGraphs.read(out).getMetadataPropsList().stream()
                .collect(java.util.stream.Collectors.toMap(e -> e.getKey(), e -> e.getValue()));
        assertThat(metadata).containsEntry("verdant.criterion", "wanda");
        assertThat(metadata.get("verdant.calibration")).startsWith("STS-B train, first 20 sentences; ");
    }

    @Test
    void aWrongCalibrationFileIsAClearError() throws IOException {
        Path model = tiny();
        Files.writeString(dir.resolve("tokenizer.json"), dev.verdant.onnx.testing.WordPieceTokenizerJson.of(120));
        CliRun missing = CliRun.of("prune", "--model", model.toString(), "--out", dir.resolve("x.onnx").toString(),
                "--method", "unstructured", "--amount", "0.5", "--calibration", dir.resolve("nope.tsv").toString());
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains("nope.tsv is not a file").contains("stsb-train");

        Path empty = Files.writeString(dir.resolve("empty.tsv"), "score\tsentence1\tsentence2\n\n# nothing\n3.0\n");
        CliRun none = CliRun.of("prune", "--model", model.toString(), "--out", dir.resolve("x.onnx").toString(),
                "--method", "ffn", "--amount", "0.5", "--calibration", empty.toString());
        assertThat(none.code()).isEqualTo(2);
        assertThat(none.err()).contains("empty.tsv holds no sentence");

        CliRun binary = CliRun.of("prune", "--model", model.toString(), "--out", dir.resolve("x.onnx").toString(),
                "--method", "ffn", "--amount", "0.5", "--calibration", model.toString());
        assertThat(binary.code()).isEqualTo(2);
        assertThat(binary.err()).contains("not UTF-8 text");
        assertThat(dir.resolve("x.onnx")).doesNotExist();
    }

    @Test
    void badMethodsAmountsAndInputsAreClearErrors() throws IOException {
        Path model = tiny();
        CliRun method = CliRun.of("prune", "--model", model.toString(), "--out", dir.resolve("x.onnx").toString(),
                "--method", "magic", "--amount", "0.2");
        assertThat(method.code()).isEqualTo(2);
        assertThat(method.err()).contains("magic").contains("unstructured").contains("lowrank");

        CliRun amount = CliRun.of("prune", "--model", model.toString(), "--out", dir.resolve("x.onnx").toString(),
                "--method", "ffn", "--amount", "1.5");
        assertThat(amount.code()).isEqualTo(2);
        assertThat(amount.err()).contains("(0, 1]");

        Path corrupt = Files.writeString(dir.resolve("corrupt.onnx"), "not a model");
        CliRun bad = CliRun.of("prune", "--model", corrupt.toString(), "--out", dir.resolve("y.onnx").toString(),
                "--method", "heads", "--amount", "0.2");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("CORRUPT_INPUT");

        CliRun lowrank = CliRun.of("prune", "--model", model.toString(), "--out", dir.resolve("z.onnx").toString(),
                "--method", "lowrank", "--amount", "0.999");
        assertThat(lowrank.code()).isEqualTo(2);
        assertThat(lowrank.err()).contains("NOTHING_TO_DO").contains("lower the amount");
        assertThat(dir.resolve("z.onnx")).doesNotExist();
    }
}
