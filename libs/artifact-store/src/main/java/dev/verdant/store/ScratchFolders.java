package dev.verdant.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** The local folders a job downloads artifacts into and deletes when it is done. */
public final class ScratchFolders {
    private ScratchFolders() {
    }

    /** A new, empty folder under {@code root} (created if needed), named after the job. */
    public static Path create(Path root, String jobName) {
        try {
            Files.createDirectories(root);
            return Files.createTempDirectory(root, jobName + "-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a work folder under " + root, e);
        }
    }

    /** Deletes the folder and everything in it, best effort: a leftover temp file is not worth failing a job. */
    public static void delete(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort
                }
            });
        } catch (IOException ignored) {
            // already gone
        }
    }
}
