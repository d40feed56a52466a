package dev.verdant.evaluation;

import dev.verdant.onnx.testing.WordPieceTokenizerJson;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A tokenizer that does not belong to the model is caught, at each of the three places it can be:
 * from the tokenizer.json before anything runs, per batch before ONNX Runtime sees the ids, and
 * (should both be bypassed) by translating ONNX Runtime's own Gather error.
 */
class TokenizerMismatchTest {

    @TempDir
    static Path dir;
    static Path model;

    @BeforeAll
    static void build() throws IOException {
        model = TinyModels.write(TinyModels.builder(3), dir.resolve("tiny.onnx"));
    }

    @Test
    void aLargerVocabularyIsRejectedBeforeRunning() throws IOException {
        Path larger = Files.writeString(dir.resolve("larger.json"), WordPieceTokenizerJson.of(TinyModels.VOCABULARY + 400));

        EvaluationOutcome.Failed failed = TinyModelEvaluationTest.assertFailure(
                EvaluationRequest.of(model, larger).withMaxPairs(10).withThreads(1).withLatency(LatencySettings.quick()),
                FailureReason.TOKENIZER_MISMATCH, "token ids up to 999");

        assertThat(failed.message()).contains("only 600 rows").contains("does not belong to this model");
    }

    @Test
    void aTokenizerThatIsNotOneIsMalformed() throws IOException {
        Path notTokenizer = Files.writeString(dir.resolve("config.json"), "{\"hidden_size\": 384}");

        TinyModelEvaluationTest.assertFailure(EvaluationRequest.of(model, notTokenizer).withMaxPairs(10),
                FailureReason.TOKENIZER_MALFORMED, "no \"model\" object");
    }

    @Test
    void aMissingTokenizerIsUnreadable() {
        TinyModelEvaluationTest.assertFailure(EvaluationRequest.of(model, dir.resolve("nope.json")).withMaxPairs(10),
                FailureReason.TOKENIZER_UNREADABLE, "nope.json");
    }

    @Test
    void eachBatchIsCheckedBeforeOnnxRuntimeSeesIt() throws Exception {
        ModelBinding binding = ModelBinding.inspect(model, "model");
        try (EncoderSession session = EncoderSession.open(model, binding, 1, "model")) {
            assertThatThrownBy(() -> session.embed(batch(TinyModels.VOCABULARY + 5)))
                    .isInstanceOfSatisfying(EvaluationFailure.class, failure -> {
                        assertThat(failure.reason()).isEqualTo(FailureReason.TOKENIZER_MISMATCH);
                        assertThat(failure.getMessage()).contains("token id 605").contains("only 600 rows");
                    });
        }
    }

    @Test
    void onnxRuntimesGatherErrorIsTranslated() throws Exception {
        ModelBinding truth = ModelBinding.inspect(model, "model");
        // A binding that believes the table is larger, so only ONNX Runtime stands in the way.
        ModelBinding optimistic = new ModelBinding(truth.inputs(), truth.output(), truth.hiddenSize(), 1_000_000,
                truth.tokenTypes(), truth.maxPositions(), truth.facts());
        try (EncoderSession session = EncoderSession.open(model, optimistic, 1, "model")) {
            assertThatThrownBy(() -> session.embed(batch(TinyModels.VOCABULARY + 5)))
                    .isInstanceOfSatisfying(EvaluationFailure.class, failure -> {
                        assertThat(failure.reason()).as(failure.getMessage()).isEqualTo(FailureReason.TOKENIZER_MISMATCH);
                        assertThat(failure.getMessage()).contains("does not belong to this model");
                    });
        }
    }

    /** [CLS] id [SEP] for one sentence. */
    private static TokenizedBatch batch(long id) {
        return new TokenizedBatch(new long[] {2, id, 3}, new long[] {1, 1, 1}, new long[] {0, 0, 0}, 1, 3);
    }
}
