package dev.verdant.pruning;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.verdant.onnx.OnnxGraphs;
import dev.verdant.onnx.testing.TinyBertBuilder;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class ActivationProbeTest {

    @Test
    void exposesEachFeedForwardActivationAndAveragesOverRealTokensOnly() throws OrtException {
        TinyBertBuilder builder = TinyBertBuilder.tiny().layers(2).hidden(32).heads(4).ffn(64).vocabulary(100);
        ActivationProbe.Instrumented probe = ActivationProbe.instrument(builder.build());
        assertThat(probe.outputs()).hasSize(2);
        assertThat(probe.widths()).containsExactly(64, 64);
        assertThat(probe.outputs().get(0)).contains("layer.0").contains("intermediate");

        OnnxRunner.Batch batch = OnnxRunner.Batch.random(3, 8, 100, 5); // row b has b padded positions
        OrtEnvironment env = OnnxRunner.environment();
        ActivationProbe.Accumulator accumulator = new ActivationProbe.Accumulator(probe.widths());
        float[][][] first;
        try (OrtSession session = env.createSession(OnnxGraphs.toBytes(probe.model()), new OrtSession.SessionOptions());
             OnnxTensor ids = OnnxTensor.createTensor(env, batch.ids());
             OnnxTensor mask = OnnxTensor.createTensor(env, batch.mask());
             OnnxTensor types = OnnxTensor.createTensor(env, batch.types());
             OrtSession.Result result = session.run(Map.of("input_ids", ids, "attention_mask", mask, "token_type_ids", types),
                     new LinkedHashSet<>(probe.outputs()))) {
            first = (float[][][]) result.get(probe.outputs().get(0)).orElseThrow().getValue();
            for (int b = 0; b < 2; b++) {
                accumulator.add(b, (float[][][]) result.get(probe.outputs().get(b)).orElseThrow().getValue(), batch.mask());
            }
        }
        ActivationStatistics stats = accumulator.result();
        assertThat(stats.tokens()).isEqualTo(8 + 7 + 6);
        double expected = 0;
        for (int b = 0; b < 3; b++) {
            for (int s = 0; s < 8 - b; s++) {
                expected += Math.abs(first[b][s][5]);
            }
        }
        assertThat(stats.meanAbs().get(0)[5]).isCloseTo((float) (expected / 21), within(1e-5f));
        // GELU outputs: some neurons are more active than others
        assertThat(stats.meanAbs().get(1)).isNotEmpty();

        // The statistics plug into ffn pruning.
        PruningOutcome outcome = new Pruner().prune(builder.toBytes(), PruningRequest.of(PruningMethod.FFN, 0.5).withCalibration(stats));
        assertThat(outcome).isInstanceOf(PruningOutcome.Pruned.class);
        PruningOutcome wrong = new Pruner().prune(builder.toBytes(), PruningRequest.of(PruningMethod.FFN, 0.5)
                .withCalibration(new ActivationStatistics(List.of(new float[64]), 1)));
        assertThat(wrong).isInstanceOfSatisfying(PruningOutcome.Failed.class,
                failed -> assertThat(failed.message()).contains("cover 1 feed-forward blocks, the model has 2"));
    }

    @Test
    void aModelWithoutFeedForwardBlocksCannotBeCalibrated() {
        assertThatThrownBy(() -> ActivationProbe.instrument(dev.verdant.onnx.testing.RejectableModels.convolutionalNetwork()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no feed-forward block");
    }
}
