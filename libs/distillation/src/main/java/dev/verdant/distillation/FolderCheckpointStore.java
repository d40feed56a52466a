package dev.verdant.distillation;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/** Checkpoints as files {@code <folder>/<runKey>.ckpt}, replaced atomically (written beside, then moved). */
public final class FolderCheckpointStore implements CheckpointStore {

    private final Path folder;

    public FolderCheckpointStore(Path folder) {
        this.folder = folder;
    }

    public Path folder() {
        return folder;
    }

    @Override
    public Optional<byte[]> latest(String runKey) throws IOException {
        Path file = file(runKey);
        return Files.isRegularFile(file) ? Optional.of(Files.readAllBytes(file)) : Optional.empty();
    }

    @Override
    public void save(String runKey, byte[] checkpoint) throws IOException {
        Files.createDirectories(folder);
        Path target = file(runKey);
        Path partial = Files.createTempFile(folder, runKey, ".partial");
        try {
            Files.write(partial, checkpoint);
            try {
                Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException notAtomic) {
                Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(partial);
        }
    }

    @Override
    public void clear(String runKey) throws IOException {
        Files.deleteIfExists(file(runKey));
    }

    private Path file(String runKey) {
        if (!runKey.matches("[A-Za-z0-9._-]{1,200}")) {
            throw new IllegalArgumentException("checkpoint run key '" + runKey + "' must be letters, digits, '.', '_' or '-'");
        }
        return folder.resolve(runKey + ".ckpt");
    }
}
