package dev.verdant.infra;

import java.time.Duration;

/**
 * Stopping and checking processes this JVM did not necessarily start (detached nodes, services
 * started by an earlier {@code verdant up}), with the care {@link NodeProcess} takes for its own:
 * a zombie counts as stopped, and SIGTERM comes before SIGKILL.
 */
public final class ChildProcesses {
    private ChildProcesses() {
    }

    /** Whether the process runs: alive and not a zombie waiting for a slow PID 1 to reap it. */
    public static boolean isRunning(ProcessHandle handle) {
        return NodeProcess.isRunning(handle);
    }

    /**
     * SIGTERM, then SIGKILL after {@code grace}.
     *
     * @return whether the process was running
     */
    public static boolean terminate(ProcessHandle handle, String name, Duration grace) {
        return NodeProcess.terminate(handle, name, grace);
    }
}
