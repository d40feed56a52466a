package dev.verdant.distillation;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import dev.verdant.evaluation.OnnxRuntimeStartup;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import dev.verdant.evaluation.Pooling;

import java.io.IOException;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * An ONNX encoder (the teacher, or the exported student) run by ONNX Runtime, mean-pooled
 * exactly as the evaluation does ({@link Pooling#mean}).
 *
 * <p>ONNX Runtime's process-wide environment is created by DJL's ONNX Runtime engine (the
 * evaluation core's engine, so both can live in one JVM: ONNX Runtime refuses a second
 * environment with other threading options), on a thread with a large stack: ONNX Runtime 1.29
 * recurses about once per command-line byte while creating it and overflows a default 1 MiB
 * stack past ~4 KB of command line (see dev.verdant.evaluation.OnnxRuntimeStartup).
 */
final class OnnxEncoder implements AutoCloseable {

    private static volatile OrtEnvironment environment;

    private final OrtSession session;
    private final String idsInput;
    private final String maskInput;
    private final String typesInput;
    private final int hidden;

    private OnnxEncoder(OrtSession session, BertLayout layout) {
        this.session = session;
        this.idsInput = layout.idsInput;
        this.maskInput = layout.maskInput;
        this.typesInput = layout.typesInput;
        this.hidden = layout.hidden;
    }

    static OnnxEncoder open(byte[] model, BertLayout layout, int threads) throws OrtException {
        OrtEnvironment env = environment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(threads);
            options.setInterOpNumThreads(1);
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            options.setSessionLogLevel(OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL);
            return new OnnxEncoder(env.createSession(model, options), layout);
        }
    }

    static OnnxEncoder open(Path model, BertLayout layout, int threads) throws OrtException, IOException {
        return open(Files.readAllBytes(model), layout, threads);
    }

    /** Mean-pooled embeddings of one batch, one row per sentence. */
    float[][] embed(Batch batch) throws OrtException {
        OrtEnvironment env = environment();
        long[] shape = {batch.size(), batch.length()};
        Map<String, OnnxTensor> inputs = new HashMap<>();
        try {
            inputs.put(idsInput, OnnxTensor.createTensor(env, LongBuffer.wrap(batch.ids()), shape));
            inputs.put(maskInput, OnnxTensor.createTensor(env, LongBuffer.wrap(batch.mask()), shape));
            if (typesInput != null) {
                inputs.put(typesInput, OnnxTensor.createTensor(env, LongBuffer.wrap(batch.types()), shape));
            }
            try (OrtSession.Result result = session.run(inputs)) {
                OnnxTensor output = (OnnxTensor) result.get(0);
                float[] hiddenStates = new float[batch.size() * batch.length() * hidden];
                output.getFloatBuffer().get(hiddenStates);
                return Pooling.mean(hiddenStates, batch.mask(), batch.size(), batch.length(), hidden);
            }
        } finally {
            inputs.values().forEach(OnnxTensor::close);
        }
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }

    static OrtEnvironment environment() throws OrtException {
        try {
            return OnnxRuntimeStartup.ortEnvironment();
        } catch (IllegalStateException e) {
            throw new OrtException(e.getMessage());
        }
    }
}
