package dev.verdant.onnx.testing;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.verdant.onnx.testing.TinyBertBuilder.LayerNormStyle;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The built graphs are real ONNX: ONNX Runtime loads and runs them, and they compute BERT. */
class TinyBertRuntimeTest {

    private static OrtEnvironment environment;

    private static final long[][] TOKENS = {{1, 7, 42, 9, 2}, {1, 5, 2, 0, 0}};
    private static final long[][] MASK = {{1, 1, 1, 1, 1}, {1, 1, 1, 0, 0}};
    private static final long[][] TYPES = {{0, 0, 0, 1, 1}, {0, 0, 0, 0, 0}};

    @BeforeAll
    static void start() {
        environment = OrtEnvironment.getEnvironment();
    }

    @ParameterizedTest
    @EnumSource(LayerNormStyle.class)
    void runsAndNormalisesEveryTokenVector(LayerNormStyle style) throws OrtException {
        float[][][] hidden = run(TinyBertBuilder.tiny().layers(3).hidden(48).heads(6).ffn(96).layerNorm(style), TOKENS, MASK);

        assertEquals(2, hidden.length);
        assertEquals(5, hidden[0].length);
        assertEquals(48, hidden[0][0].length);
        for (float[][] sequence : hidden) {
            for (float[] vector : sequence) {
                // The last op is LayerNorm with gamma 1, beta 0: mean 0, variance 1 (eps 1e-12).
                double mean = 0;
                double square = 0;
                for (float value : vector) {
                    assertTrue(Float.isFinite(value));
                    mean += value;
                    square += value * value;
                }
                mean /= vector.length;
                assertEquals(0, mean, 1e-4);
                assertEquals(1, square / vector.length - mean * mean, 1e-3);
            }
        }
    }

    @Test
    void decomposedAndFusedLayerNormComputeTheSameFunction() throws OrtException {
        float[][][] decomposed = run(TinyBertBuilder.tiny().seed(5).layerNorm(LayerNormStyle.DECOMPOSED), TOKENS, MASK);
        float[][][] fused = run(TinyBertBuilder.tiny().seed(5).layerNorm(LayerNormStyle.FUSED), TOKENS, MASK);

        for (int b = 0; b < decomposed.length; b++) {
            for (int t = 0; t < decomposed[b].length; t++) {
                assertArrayEquals(decomposed[b][t], fused[b][t], 1e-4f);
            }
        }
    }

    /** With mask 0 a token is invisible: changing it leaves every attended position unchanged. */
    @Test
    void paddingIsMaskedOut() throws OrtException {
        TinyBertBuilder builder = TinyBertBuilder.tiny();
        long[][] otherPadding = {{1, 7, 42, 9, 2}, {1, 5, 2, 77, 31}};

        float[][][] before = run(builder, TOKENS, MASK);
        float[][][] after = run(builder, otherPadding, MASK);

        for (int t = 0; t < 3; t++) {
            assertArrayEquals(before[1][t], after[1][t], 1e-5f, "attended token " + t);
        }
        assertFalse(java.util.Arrays.equals(before[1][3], after[1][3]), "the padded token itself changes");
        long[][] unmasked = {{1, 1, 1, 1, 1}, {1, 1, 1, 1, 1}};
        assertFalse(java.util.Arrays.equals(run(builder, otherPadding, unmasked)[1][0], after[1][0]),
                "without the mask the same change does reach token 0");
    }

    @Test
    void poolerOutputIsTanhBounded() throws OrtException {
        try (OrtSession session = environment.createSession(TinyBertBuilder.tiny().pooledOutput(true).toBytes());
             Inputs inputs = new Inputs(TOKENS, MASK);
             OrtSession.Result result = session.run(inputs.byName())) {
            float[][] pooled = (float[][]) result.get("pooler_output").orElseThrow().getValue();
            assertEquals(2, pooled.length);
            assertEquals(32, pooled[0].length);
            for (float value : pooled[0]) {
                assertTrue(value > -1 && value < 1);
            }
        }
    }

    private static float[][][] run(TinyBertBuilder builder, long[][] tokens, long[][] mask) throws OrtException {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            try (OrtSession session = environment.createSession(builder.toBytes(), options);
                 Inputs inputs = new Inputs(tokens, mask);
                 OrtSession.Result result = session.run(inputs.byName())) {
                return (float[][][]) result.get("last_hidden_state").orElseThrow().getValue();
            }
        }
    }

    /** The three int64 [batch, sequence] inputs, closed after the run (they hold native memory). */
    private static final class Inputs implements AutoCloseable {
        private final OnnxTensor ids;
        private final OnnxTensor mask;
        private final OnnxTensor types;

        Inputs(long[][] tokens, long[][] attention) throws OrtException {
            ids = OnnxTensor.createTensor(environment, tokens);
            mask = OnnxTensor.createTensor(environment, attention);
            types = OnnxTensor.createTensor(environment, TYPES);
        }

        Map<String, OnnxTensor> byName() {
            return Map.of("input_ids", ids, "attention_mask", mask, "token_type_ids", types);
        }

        @Override
        public void close() {
            ids.close();
            mask.close();
            types.close();
        }
    }
}
