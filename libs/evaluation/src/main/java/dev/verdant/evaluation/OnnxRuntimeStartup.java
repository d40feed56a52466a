package dev.verdant.evaluation;

import ai.djl.engine.Engine;
import ai.onnxruntime.OrtEnvironment;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Starts DJL's ONNX Runtime engine (and with it the process-wide OrtEnvironment) on a thread with a
 * large stack, once per process, before anything else touches ONNX Runtime.
 *
 * <p>Why: with ONNX Runtime 1.29.0 on Linux, creating the environment (OrtEnvironment.createHandle,
 * CreateEnv in C) recurses about once per byte of the process's command line. On a Java thread's
 * default 1 MiB stack that overflows once the command line passes roughly 4 KB, which a JVM started
 * with a plain class path (the ./verdant launcher, {@code exec:exec}) easily does, and the process
 * dies with SIGSEGV without even an hs_err file. Measured: a 3 KB command line works, 5 KB and more
 * crash; -Xss4m survives 16 KB. Surefire and {@code java -jar} (Quarkus) start with short command
 * lines and never see it.
 *
 * <p>The stack given here is 1 KiB per command-line byte (about 4x what the recursion was seen to
 * use), at least 64 MiB; it is only reserved address space, touched as far as the recursion goes.
 * The engine must be created here rather than a bare OrtEnvironment: DJL creates the environment
 * with threading options, which ONNX Runtime refuses once an environment exists.
 */
public final class OnnxRuntimeStartup {

    private static final long MIN_STACK_BYTES = 64L << 20;
    private static final long STACK_BYTES_PER_COMMAND_LINE_BYTE = 1024;

    private static volatile Engine engine;

    private OnnxRuntimeStartup() {
    }

    /** DJL's ONNX Runtime engine, started on first use. */
    static Engine engine() throws EvaluationFailure {
        Engine started = engine;
        if (started != null) {
            return started;
        }
        synchronized (OnnxRuntimeStartup.class) {
            if (engine == null) {
                engine = start();
            }
            return engine;
        }
    }

    private static Engine start() throws EvaluationFailure {
        DjlOffline.configure();
        AtomicReference<Object> result = new AtomicReference<>();
        Thread thread = new Thread(null, () -> {
            try {
                result.set(Engine.getEngine(EncoderSession.ENGINE));
            } catch (Throwable e) { // NOPMD: handed to the caller's thread below
                result.set(e);
            }
        }, "verdant-onnxruntime-startup", stackBytes());
        thread.start();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EvaluationFailure(FailureReason.RUNTIME_UNAVAILABLE, "Interrupted while starting ONNX Runtime.");
        }
        if (result.get() instanceof Engine started) {
            return started;
        }
        Throwable failure = (Throwable) result.get();
        throw new EvaluationFailure(FailureReason.RUNTIME_UNAVAILABLE, "ONNX Runtime could not be started through DJL"
                + " on this machine (" + SentenceTokenizer.rootMessage(failure) + ").");
    }

    /**
     * The process-wide OrtEnvironment for code that runs ONNX Runtime directly (calibration, teacher
     * embeddings): DJL's engine is started first, as above, so that evaluation can still start it
     * later; an environment created earlier without DJL (DJL then refuses to start) is returned as is.
     *
     * @throws IllegalStateException naming the cause when ONNX Runtime cannot be started
     */
    public static OrtEnvironment ortEnvironment() {
        try {
            engine();
        } catch (EvaluationFailure refused) {
            // An environment created without DJL (e.g. by a test) makes DJL refuse: the plain one below is that one.
        }
        AtomicReference<Object> result = new AtomicReference<>();
        Thread thread = new Thread(null, () -> {
            try {
                result.set(OrtEnvironment.getEnvironment());
            } catch (Throwable e) { // NOPMD: handed to the caller's thread below
                result.set(e);
            }
        }, "verdant-onnxruntime-environment", stackBytes());
        thread.start();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting ONNX Runtime", e);
        }
        if (result.get() instanceof OrtEnvironment environment) {
            return environment;
        }
        Throwable failure = (Throwable) result.get();
        throw new IllegalStateException("ONNX Runtime could not be started: " + SentenceTokenizer.rootMessage(failure),
                failure);
    }

    static long stackBytes() {
        try {
            // Read, not Files.size: /proc files report size 0.
            long commandLine = Files.readAllBytes(Path.of("/proc/self/cmdline")).length;
            return Math.max(MIN_STACK_BYTES, commandLine * STACK_BYTES_PER_COMMAND_LINE_BYTE);
        } catch (IOException | RuntimeException notLinux) {
            return MIN_STACK_BYTES;
        }
    }
}
