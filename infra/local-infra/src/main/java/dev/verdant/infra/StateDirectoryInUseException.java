package dev.verdant.infra;

import java.nio.file.Path;

/**
 * A node is already running in the data directory and belongs to someone else (a detached
 * {@code verdant up}, or another JVM that is still alive). Starting a second one there would
 * share its files.
 */
public final class StateDirectoryInUseException extends LocalInfrastructureException {

    private final Path directory;

    StateDirectoryInUseException(Path directory, String message) {
        super(message);
        this.directory = directory;
    }

    public Path directory() {
        return directory;
    }
}
