package dev.verdant.distillation.service.core;

import dev.verdant.distillation.CheckpointStore;
import dev.verdant.events.BucketLayout;
import dev.verdant.store.ArtifactStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Training checkpoints in the bucket ({@code system/distillation/checkpoints/<runKey>.ckpt}), so a
 * job killed mid-training resumes on whichever instance picks the record up again. One object per
 * run key, replaced whole by each save (an S3 PUT is atomic: a reader sees the old or the new one).
 */
public final class BucketCheckpointStore implements CheckpointStore {
    private final ArtifactStore store;
    private final Path scratch;

    /** @param scratch a folder for the checkpoint's bytes on their way to and from the bucket */
    public BucketCheckpointStore(ArtifactStore store, Path scratch) {
        this.store = store;
        this.scratch = scratch;
    }

    public static String key(String runKey) {
        return BucketLayout.serviceStateKey("distillation", "checkpoints/" + runKey + ".ckpt");
    }

    @Override
    public Optional<byte[]> latest(String runKey) throws IOException {
        String key = key(runKey);
        if (!store.exists(key)) {
            return Optional.empty();
        }
        Files.createDirectories(scratch);
        Path file = Files.createTempFile(scratch, "checkpoint-", ".ckpt");
        try {
            store.download(key, file);
            return Optional.of(Files.readAllBytes(file));
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Override
    public void save(String runKey, byte[] checkpoint) throws IOException {
        Files.createDirectories(scratch);
        Path file = Files.createTempFile(scratch, "checkpoint-", ".ckpt");
        try {
            Files.write(file, checkpoint);
            store.put(key(runKey), file, "application/octet-stream", Map.of());
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Override
    public void clear(String runKey) {
        store.delete(key(runKey));
    }
}
