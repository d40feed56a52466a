package dev.verdant.infra;

import java.nio.file.Path;

/**
 * What the state directory says about one node, checked against the OS.
 *
 * @param name     {@code kafka} or {@code s3}
 * @param state    see {@link State}
 * @param pid      the node's pid, -1 when none is recorded
 * @param endpoint bootstrap servers (kafka) or URL (s3) it was started with; null when stopped
 * @param logFile  where it logs (kept after it stops)
 */
public record NodeStatus(String name, State state, long pid, String endpoint, Path logFile) {

    public enum State {
        /** The recorded process is alive. */
        RUNNING,
        /** A state file remains but its process is gone: it crashed or was killed. */
        EXITED,
        /** No state file: never started here, or stopped cleanly. */
        STOPPED
    }

    public boolean running() {
        return state == State.RUNNING;
    }

    @Override
    public String toString() {
        return switch (state) {
            case RUNNING -> name + ": running, pid " + pid + ", " + endpoint + ", log " + logFile;
            case EXITED -> name + ": exited unexpectedly (pid " + pid + " is gone), log " + logFile;
            case STOPPED -> name + ": stopped";
        };
    }
}
