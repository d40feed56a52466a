package dev.verdant.pruning;

import ai.onnx.proto.OnnxMl.ModelProto;
import dev.verdant.onnx.testing.TinyBertBuilder;
import dev.verdant.onnx.testing.WordPieceTokenizerJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Calibration in ONNX Runtime with a real (WordPiece) tokenizer.json, on a tiny BERT, and its clear refusals. */
class ActivationCalibratorTest {

    static final int VOCABULARY = 120;
    static final List<String> SENTENCES = List.of("a man is playing a guitar", "the cat sits on the mat",
            "a woman is slicing an onion", "two dogs run in the park");

    @TempDir
    Path dir;

    private ModelProto model() {
        return TinyBertBuilder.tiny().layers(2).hidden(32).heads(4).ffn(64).vocabulary(VOCABULARY).maxPositions(64).seed(3)
                .build();
    }

    private Path tokenizer() throws Exception {
        return Files.writeString(dir.resolve("tokenizer.json"), WordPieceTokenizerJson.of(VOCABULARY, SENTENCES));
    }

    @Test
    void measuresEveryProbedTensorOverTheSentencesTokens() throws Exception {
        ModelProto model = model();
        ActivationStatistics stats = ActivationCalibrator.measure(model, tokenizer(), SENTENCES, "four test sentences");

        ActivationProbe.Instrumented probe = ActivationProbe.instrument(model);
        assertThat(stats.rms().keySet()).containsExactlyElementsOf(probe.outputs());
        assertThat(stats.meanAbs().keySet()).containsExactlyElementsOf(probe.outputs());
        // at least [CLS] + one token per word + [SEP] per sentence
        long words = SENTENCES.stream().mapToLong(s -> s.split(" ").length + 2L).sum();
        assertThat(stats.tokens()).isBetween(words, 4 * words);
        assertThat(stats.describe()).isEqualTo("four test sentences; " + stats.tokens() + " tokens");
        for (float[] rms : stats.rms().values()) {
            double max = 0;
            for (float v : rms) {
                assertThat(v).isFinite().isGreaterThanOrEqualTo(0f);
                max = Math.max(max, v);
            }
            assertThat(max).isPositive();
        }
        for (PruningMethod method : new PruningMethod[] {PruningMethod.FFN, PruningMethod.HEADS, PruningMethod.UNSTRUCTURED}) {
            assertThat(new Pruner().prune(dev.verdant.onnx.OnnxGraphs.toBytes(model),
                    PruningRequest.of(method, 0.5).withCalibration(stats))).isInstanceOf(PruningOutcome.Pruned.class);
        }
    }

    @Test
    void sentencesAreCutToTheModelsPositionTable() throws Exception {
        ModelProto short16 = TinyBertBuilder.tiny().layers(1).hidden(32).heads(4).ffn(64).vocabulary(VOCABULARY)
                .maxPositions(16).seed(3).build();
        // spelled letter by letter by this tokenizer: far more than 16 tokens
        List<String> long1 = List.of("a quick brown fox jumps over the lazy dog while the cat sleeps quietly");
        ActivationStatistics stats = ActivationCalibrator.measure(short16, tokenizer(), long1, "one long sentence");
        assertThat(stats.tokens()).isEqualTo(16);
    }

    @Test
    void noTextsIsAClearError() throws Exception {
        Path tokenizer = tokenizer();
        assertThatThrownBy(() -> ActivationCalibrator.measure(model(), tokenizer, List.of(), "nothing"))
                .isInstanceOfSatisfying(ActivationCalibrator.CalibrationException.class, e -> {
                    assertThat(e.reason()).isEqualTo("INVALID_CALIBRATION");
                    assertThat(e.getMessage()).contains("no calibration texts");
                });
    }

    @Test
    void aWrongCalibrationFileIsAClearError() throws Exception {
        assertThatThrownBy(() -> ActivationCalibrator.readTexts(dir.resolve("missing.tsv"), 10))
                .isInstanceOf(ActivationCalibrator.CalibrationException.class).hasMessageContaining("missing.tsv is not a file");
        Path binary = Files.write(dir.resolve("model.onnx"), TinyBertBuilder.tiny().layers(1).hidden(16).heads(2).ffn(32)
                .vocabulary(50).toBytes());
        assertThatThrownBy(() -> ActivationCalibrator.readTexts(binary, 10))
                .isInstanceOf(ActivationCalibrator.CalibrationException.class).hasMessageContaining("not UTF-8 text");
        Path numbers = Files.writeString(dir.resolve("scores.tsv"), "score\tsentence1\tsentence2\n1.0\t2.5\n\n# only numbers\n");
        assertThatThrownBy(() -> ActivationCalibrator.readTexts(numbers, 10))
                .isInstanceOfSatisfying(ActivationCalibrator.CalibrationException.class, e -> {
                    assertThat(e.reason()).isEqualTo("INVALID_CALIBRATION");
                    assertThat(e.getMessage()).contains("holds no sentence");
                });
        Path bad = Files.writeString(dir.resolve("tokenizer.json"), "{ not json");
        assertThatThrownBy(() -> ActivationCalibrator.measure(model(), bad, SENTENCES, "x"))
                .isInstanceOf(ActivationCalibrator.CalibrationException.class).hasMessageContaining("tokenizer");
    }

    @Test
    void readsAnStsFileAndTheShippedTrainSentences() throws Exception {
        Path sts = Files.writeString(dir.resolve("sts.tsv"), "score\tsentence1\tsentence2\n"
                + "4.2\tA plane is taking off.\tAn air plane is taking off.\n# comment\n\nJust one sentence\n");
        assertThat(ActivationCalibrator.readTexts(sts, 10)).containsExactly("A plane is taking off.",
                "An air plane is taking off.", "Just one sentence");
        assertThat(ActivationCalibrator.readTexts(sts, 2)).hasSize(2);

        List<String> train = ActivationCalibrator.stsbTrainSentences(5);
        assertThat(train).hasSize(5).doesNotContainNull().allMatch(s -> !s.isBlank());
    }
}
