package dev.verdant.pruning;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.verdant.onnx.OnnxGraphs;
import dev.verdant.onnx.testing.TinyBertBuilder;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashSet;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class ActivationProbeTest {

    /** Statistics of {@code model} on a random batch (some positions padded), measured in ONNX Runtime. */
    static ActivationStatistics measure(ModelProto model, OnnxRunner.Batch batch) throws OrtException {
        ActivationProbe.Instrumented probe = ActivationProbe.instrument(model);
        ActivationProbe.Accumulator accumulator = new ActivationProbe.Accumulator(probe);
        OrtEnvironment env = OnnxRunner.environment();
        long[] mask = flatten(batch.mask());
        try (OrtSession session = env.createSession(OnnxGraphs.toBytes(probe.model()), new OrtSession.SessionOptions());
             OnnxTensor ids = OnnxTensor.createTensor(env, batch.ids());
             OnnxTensor maskTensor = OnnxTensor.createTensor(env, batch.mask());
             OnnxTensor types = OnnxTensor.createTensor(env, batch.types());
             OrtSession.Result result = session.run(Map.of("input_ids", ids, "attention_mask", maskTensor,
                     "token_type_ids", types), new LinkedHashSet<>(probe.outputs()))) {
            for (int t = 0; t < probe.outputs().size(); t++) {
                accumulator.add(t, flatten((float[][][]) result.get(probe.outputs().get(t)).orElseThrow().getValue()), mask);
            }
        }
        return accumulator.result("random test batch");
    }

    static long[] flatten(long[][] values) {
        return java.util.Arrays.stream(values).flatMapToLong(java.util.Arrays::stream).toArray();
    }

    static float[] flatten(float[][][] values) {
        int rows = values.length * values[0].length;
        int width = values[0][0].length;
        float[] flat = new float[rows * width];
        int k = 0;
        for (float[][] batch : values) {
            for (float[] row : batch) {
                System.arraycopy(row, 0, flat, k, width);
                k += width;
            }
        }
        return flat;
    }

    @Test
    void exposesEveryWeightMatMulInputAndAveragesOverRealTokensOnly() throws OrtException {
        TinyBertBuilder builder = TinyBertBuilder.tiny().layers(2).hidden(32).heads(4).ffn(64).vocabulary(100);
        ModelProto model = builder.build();
        ActivationProbe.Instrumented probe = ActivationProbe.instrument(model);
        // Per layer: the input of Q, K, V (one tensor), the attention context, the FFN input, the FFN activation.
        assertThat(probe.outputs()).hasSize(8);
        assertThat(probe.widths()).containsExactly(32, 32, 32, 64, 32, 32, 32, 64);
        EncoderBlocks blocks = EncoderBlocks.find(new GraphEditor(model.getGraph()));
        String activation = blocks.feedForwards().get(0).actOut();
        assertThat(probe.outputs()).contains(activation, blocks.feedForwards().get(1).actOut());

        OnnxRunner.Batch batch = OnnxRunner.Batch.random(3, 8, 100, 5); // row b has b padded positions
        ActivationStatistics stats = measure(model, batch);
        assertThat(stats.tokens()).isEqualTo(8 + 7 + 6);
        assertThat(stats.source()).isEqualTo("random test batch");

        float[][][] values = run(probe, batch, activation);
        double abs = 0;
        double squares = 0;
        for (int b = 0; b < 3; b++) {
            for (int s = 0; s < 8 - b; s++) {
                abs += Math.abs(values[b][s][5]);
                squares += values[b][s][5] * values[b][s][5];
            }
        }
        assertThat(stats.meanAbs().get(activation)[5]).isCloseTo((float) (abs / 21), within(1e-5f));
        assertThat(stats.rms().get(activation)[5]).isCloseTo((float) Math.sqrt(squares / 21), within(1e-5f));
        // a padded position holds a nonzero activation too: had it been counted, the mean would differ
        assertThat(Math.abs(values[2][7][5])).isGreaterThan(0f);
    }

    @Test
    void statisticsOfAnotherModelAreRefusedWithTheReason() throws OrtException {
        TinyBertBuilder builder = TinyBertBuilder.tiny().layers(2).hidden(32).heads(4).ffn(64).vocabulary(100);
        ActivationStatistics other = measure(TinyBertBuilder.tiny().layers(1).hidden(32).heads(4).ffn(48).vocabulary(100)
                .build(), OnnxRunner.Batch.random(2, 6, 100, 1));
        for (PruningMethod method : new PruningMethod[] {PruningMethod.FFN, PruningMethod.HEADS, PruningMethod.UNSTRUCTURED}) {
            PruningOutcome wrong = new Pruner().prune(builder.toBytes(), PruningRequest.of(method, 0.5).withCalibration(other));
            assertThat(wrong).as(method.wireName()).isInstanceOfSatisfying(PruningOutcome.Failed.class, failed -> {
                assertThat(failed.reason()).isEqualTo(PruningOutcome.Reason.NOT_PRUNABLE);
                assertThat(failed.message()).contains("measured on another model");
            });
        }
        assertThatThrownBy(() -> PruningRequest.of(PruningMethod.LOWRANK, 0.5).withCalibration(other))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not lowrank");
    }

    @Test
    void aModelWithoutWeightMatMulsCannotBeCalibrated() {
        assertThatThrownBy(() -> ActivationProbe.instrument(dev.verdant.onnx.testing.RejectableModels.convolutionalNetwork()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nothing to calibrate");
    }

    private static float[][][] run(ActivationProbe.Instrumented probe, OnnxRunner.Batch batch, String output)
            throws OrtException {
        OrtEnvironment env = OnnxRunner.environment();
        try (OrtSession session = env.createSession(OnnxGraphs.toBytes(probe.model()), new OrtSession.SessionOptions());
             OnnxTensor ids = OnnxTensor.createTensor(env, batch.ids());
             OnnxTensor mask = OnnxTensor.createTensor(env, batch.mask());
             OnnxTensor types = OnnxTensor.createTensor(env, batch.types());
             OrtSession.Result result = session.run(Map.of("input_ids", ids, "attention_mask", mask,
                     "token_type_ids", types), java.util.Set.of(output))) {
            return (float[][][]) result.get(output).orElseThrow().getValue();
        }
    }
}
