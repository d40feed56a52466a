package dev.verdant.distillation;

import java.io.IOException;
import java.util.Optional;

/**
 * Where training state goes between steps, so a killed job resumes where it stopped: a local
 * folder for the CLI ({@link FolderCheckpointStore}), the bucket for the service.
 *
 * <p>A checkpoint is opaque bytes (the student's weights, Adam's moments and the step; the data
 * order is derived from the seed and the step index, so nothing else is needed). The store keeps
 * the latest one; {@link #save} must replace it atomically, so a job killed while saving still
 * finds the previous one.
 */
public interface CheckpointStore {

    /** A store that keeps nothing: every run starts from step 0. */
    CheckpointStore NONE = new CheckpointStore() {
        @Override
        public Optional<byte[]> latest(String runKey) {
            return Optional.empty();
        }

        @Override
        public void save(String runKey, byte[] checkpoint) {
        }

        @Override
        public void clear(String runKey) {
        }
    };

    /**
     * The latest checkpoint for this run, if any.
     *
     * @param runKey identifies the run: a hash of the teacher, the tokenizer, the corpus and the
     *               request, so a checkpoint is never resumed into a different job
     */
    Optional<byte[]> latest(String runKey) throws IOException;

    /** Replaces the latest checkpoint of this run. */
    void save(String runKey, byte[] checkpoint) throws IOException;

    /** Forgets this run's checkpoints (called once the student is exported). */
    void clear(String runKey) throws IOException;
}
