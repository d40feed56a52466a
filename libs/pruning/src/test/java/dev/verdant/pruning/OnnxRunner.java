package dev.verdant.pruning;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs models in ONNX Runtime for the equivalence tests. The environment is created on a thread
 * with a large stack, as dev.verdant.evaluation.OnnxRuntimeStartup explains (ONNX Runtime's
 * CreateEnv recursion over a long command line overflows a default stack).
 */
final class OnnxRunner {

    private static volatile OrtEnvironment environment;

    private OnnxRunner() {
    }

    static synchronized OrtEnvironment environment() {
        if (environment == null) {
            AtomicReference<Object> result = new AtomicReference<>();
            Thread thread = new Thread(null, () -> {
                try {
                    result.set(OrtEnvironment.getEnvironment());
                } catch (Throwable e) {
                    result.set(e);
                }
            }, "ort-startup", 256L << 20);
            thread.start();
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            if (result.get() instanceof Throwable failure) {
                throw new IllegalStateException("ONNX Runtime did not start", failure);
            }
            environment = (OrtEnvironment) result.get();
        }
        return environment;
    }

    /** Token ids in [0, vocabulary), the last rows padded a little (mask 0), token types alternating. */
    record Batch(long[][] ids, long[][] mask, long[][] types) {
        static Batch random(int batch, int length, int vocabulary, long seed) {
            Random random = new Random(seed);
            long[][] ids = new long[batch][length];
            long[][] mask = new long[batch][length];
            long[][] types = new long[batch][length];
            for (int b = 0; b < batch; b++) {
                for (int s = 0; s < length; s++) {
                    ids[b][s] = random.nextInt(vocabulary);
                    mask[b][s] = s < length - b ? 1 : 0;
                    types[b][s] = s >= length / 2 ? 1 : 0;
                }
            }
            return new Batch(ids, mask, types);
        }
    }

    /** last_hidden_state of the model on the batch. */
    static float[][][] run(byte[] model, Batch batch) throws OrtException {
        OrtEnvironment env = environment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            try (OrtSession session = env.createSession(model, options);
                 OnnxTensor ids = OnnxTensor.createTensor(env, batch.ids());
                 OnnxTensor mask = OnnxTensor.createTensor(env, batch.mask());
                 OnnxTensor types = OnnxTensor.createTensor(env, batch.types());
                 OrtSession.Result result = session.run(Map.of("input_ids", ids, "attention_mask", mask,
                         "token_type_ids", types))) {
                return (float[][][]) result.get(0).getValue();
            }
        }
    }

    /** Largest |a - b| over all elements. */
    static double maxDifference(float[][][] a, float[][][] b) {
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[i].length; j++) {
                for (int k = 0; k < a[i][j].length; k++) {
                    max = Math.max(max, Math.abs(a[i][j][k] - b[i][j][k]));
                }
            }
        }
        return max;
    }
}
