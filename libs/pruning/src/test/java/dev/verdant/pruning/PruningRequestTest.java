package dev.verdant.pruning;

import dev.verdant.onnx.OnnxGraphs;
import dev.verdant.onnx.testing.RejectableModels;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PruningRequestTest {

    @Test
    void recipeParamsWithDefaults() {
        PruningRequest request = PruningRequest.fromRecipeParams(Map.of("method", "heads", "amount", 0.2));
        assertThat(request.method()).isEqualTo(PruningMethod.HEADS);
        assertThat(request.amount()).isEqualTo(0.2);
        assertThat(request.scope()).isEqualTo(PruningScope.PER_LAYER);
        assertThat(request.recoverySteps()).isZero();
        assertThat(request.layers()).isEmpty();

        PruningRequest full = PruningRequest.fromRecipeParams(Map.of("method", "unstructured", "amount", 1 - 0.5,
                "scope", "global", "recoverySteps", 500));
        assertThat(full.scope()).isEqualTo(PruningScope.GLOBAL);
        assertThat(full.recoverySteps()).isEqualTo(500);
        assertThat(PruningRequest.fromRecipeParams(Map.of("method", "lowrank", "amount", 1)).amount()).isEqualTo(1.0);
        assertThat(Pruner.METHODS).containsExactly("unstructured", "ffn", "heads", "lowrank");
    }

    @Test
    void badParamsSayWhatIsWrongAndWhatIsAccepted() {
        assertThatThrownBy(() -> PruningRequest.fromRecipeParams(Map.of("method", "magic", "amount", 0.2)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("magic").hasMessageContaining("lowrank");
        assertThatThrownBy(() -> PruningRequest.fromRecipeParams(Map.of("amount", 0.2)))
                .hasMessageContaining("'method'");
        assertThatThrownBy(() -> PruningRequest.fromRecipeParams(Map.of("method", "ffn")))
                .hasMessageContaining("'amount'");
        assertThatThrownBy(() -> PruningRequest.fromRecipeParams(Map.of("method", "ffn", "amount", "lots")))
                .hasMessageContaining("number").hasMessageContaining("lots");
        assertThatThrownBy(() -> PruningRequest.fromRecipeParams(Map.of("method", "ffn", "amount", 1.5)))
                .hasMessageContaining("(0, 1]").hasMessageContaining("1.5");
        assertThatThrownBy(() -> PruningRequest.fromRecipeParams(Map.of("method", "ffn", "amount", 0)))
                .hasMessageContaining("(0, 1]");
        assertThatThrownBy(() -> PruningRequest.fromRecipeParams(Map.of("method", "ffn", "amount", 1)))
                .hasMessageContaining("every feed-forward neuron");
        assertThatThrownBy(() -> PruningRequest.fromRecipeParams(Map.of("method", "ffn", "amount", 0.2, "scope", "layer")))
                .hasMessageContaining("per-layer").hasMessageContaining("global");
        assertThatThrownBy(() -> PruningRequest.fromRecipeParams(Map.of("method", "ffn", "amount", 0.2, "recoverySteps", -1)))
                .hasMessageContaining("recoverySteps");
        assertThatThrownBy(() -> PruningRequest.fromRecipeParams(Map.of("method", "ffn", "amount", 0.2, "recoverySteps", 2.5)))
                .hasMessageContaining("whole number");
        Map<String, Object> extra = new LinkedHashMap<>(Map.of("method", "ffn", "amount", 0.2));
        extra.put("sparsity", 0.5);
        assertThatThrownBy(() -> PruningRequest.fromRecipeParams(extra)).hasMessageContaining("sparsity")
                .hasMessageContaining("recoverySteps");
        assertThatThrownBy(() -> PruningRequest.fromRecipeParams(null)).hasMessageContaining("missing");
        Map<String, Object> nullMethod = new HashMap<>();
        nullMethod.put("method", 3);
        nullMethod.put("amount", 0.1);
        assertThatThrownBy(() -> PruningRequest.fromRecipeParams(nullMethod)).hasMessageContaining("string");
    }

    @Test
    void inputsThatCannotBePrunedAreFailuresNotExceptions() {
        Pruner pruner = new Pruner();
        PruningOutcome corrupt = pruner.prune("not onnx".getBytes(), PruningRequest.of(PruningMethod.FFN, 0.2));
        assertThat(corrupt).isInstanceOfSatisfying(PruningOutcome.Failed.class,
                failed -> assertThat(failed.reason()).isEqualTo(PruningOutcome.Reason.CORRUPT_INPUT));

        byte[] notAnEncoder = OnnxGraphs.toBytes(RejectableModels.convolutionalNetwork());
        for (PruningMethod method : new PruningMethod[] {PruningMethod.FFN, PruningMethod.HEADS}) {
            PruningOutcome outcome = pruner.prune(notAnEncoder, PruningRequest.of(method, 0.2));
            assertThat(outcome).isInstanceOfSatisfying(PruningOutcome.Failed.class, failed -> {
                assertThat(failed.reason()).isEqualTo(PruningOutcome.Reason.NOT_PRUNABLE);
                assertThat(failed.message()).contains("no ");
            });
        }
        byte[] external = OnnxGraphs.toBytes(RejectableModels.withExternalData(StructuredPruningTest.tiny().build(), "w.bin"));
        assertThat(pruner.prune(external, PruningRequest.of(PruningMethod.FFN, 0.2)))
                .isInstanceOfSatisfying(PruningOutcome.Failed.class, failed -> {
                    assertThat(failed.reason()).isEqualTo(PruningOutcome.Reason.EXTERNAL_DATA);
                    assertThat(failed.message()).contains("w.bin");
                });
    }
}
