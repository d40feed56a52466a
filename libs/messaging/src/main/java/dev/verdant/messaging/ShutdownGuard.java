package dev.verdant.messaging;

import org.jboss.logging.Logger;

/**
 * Keeps a job that ran into the service's own shutdown from being recorded as the model's fault.
 * When the JVM stops (verdant down, a SIGTERM from Kubernetes), the runtimes a job uses refuse to
 * work ("Shutdown in progress", an interrupted ONNX Runtime call) and the job ends in a failure that
 * says nothing about the model. Published and marked, that failure would be final: the restarted
 * service would skip the variant. So once shutdown has begun, a job does not publish: its thread
 * waits here until the process is gone, nothing is acknowledged, and the record is delivered again
 * after the restart (every job is idempotent). A job that truly finished during the last seconds is
 * simply done again.
 */
public final class ShutdownGuard {
    private static final Logger LOG = Logger.getLogger(ShutdownGuard.class);
    private static volatile boolean shuttingDown;

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> shuttingDown = true, "verdant-shutdown-flag"));
    }

    private ShutdownGuard() {
    }

    /** Registers the shutdown flag; call at start-up (a hook cannot be added once shutdown has begun). */
    public static void install() {
        // Loading the class runs the static initializer, which registers the hook once.
    }

    /** Call before publishing a job's outcome; returns at once unless the JVM is shutting down. */
    public static void holdIfShuttingDown(String job) {
        if (!shuttingDown) {
            return;
        }
        LOG.infof("%s: not published, the service is shutting down; the record will be processed again after"
                + " the restart", job);
        while (true) {
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                // Keep holding: returning would publish what the shutdown caused.
            }
        }
    }
}
