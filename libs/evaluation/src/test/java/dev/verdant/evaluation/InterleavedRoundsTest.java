package dev.verdant.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.verdant.onnx.testing.WordPieceTokenizerJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rounds in a rotated order on tiny BERTs; failures name the model. */
class InterleavedRoundsTest {
    @TempDir
    Path dir;

    @Test
    void everyModelOncePerRoundTheOrderRotating() throws IOException {
        Path tokenizer = Files.writeString(dir.resolve("tokenizer.json"),
                WordPieceTokenizerJson.of(TinyModels.VOCABULARY, List.of("a man is playing a guitar .")));
        Path a = TinyModels.write(TinyModels.builder(1), dir.resolve("a.onnx"));
        Path b = TinyModels.write(TinyModels.builder(2), dir.resolve("b.onnx"));
        Path c = TinyModels.write(TinyModels.builder(3), dir.resolve("c.onnx"));
        List<String> order = new ArrayList<>();
        EvaluationRequest request = EvaluationRequest.of(a, tokenizer).withMaxPairs(4).withThreads(1)
                .withLatency(new LatencySettings(0, 2, 1)).withBaseline(c);

        Map<String, List<EvaluationReport>> reports = InterleavedRounds.run(new Evaluator(),
                List.of(new InterleavedRounds.Model("a", a), new InterleavedRounds.Model("b", b),
                        new InterleavedRounds.Model("c", c)), request, 3, (label, report) -> order.add(label));

        assertThat(order).containsExactly("a", "b", "c", "b", "c", "a", "c", "a", "b");
        assertThat(reports).containsOnlyKeys("a", "b", "c");
        assertThat(reports.get("b")).hasSize(3).allSatisfy(r -> {
            assertThat(r.model()).isEqualTo(b.toString());
            assertThat(r.fidelity()).as("the request's baseline is not used").isNull();
            assertThat(r.latency().batch32().runs()).isEqualTo(1);
        });
    }

    @Test
    void aFailedEvaluationNamesTheModel() {
        EvaluationOutcome failed = new EvaluationOutcome.Failed(FailureReason.MODEL_UNREADABLE, "no such file");
        assertThatThrownBy(() -> InterleavedRounds.evaluated(failed, "int8-static"))
                .isInstanceOf(IllegalStateException.class).hasMessage("int8-static: MODEL_UNREADABLE: no such file");
    }
}
