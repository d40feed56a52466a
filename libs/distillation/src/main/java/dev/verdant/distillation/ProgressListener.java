package dev.verdant.distillation;

/**
 * Hears how a distillation goes. Called on the training thread: return quickly. Every method has
 * a no-op default, so a listener implements only what it shows.
 */
public interface ProgressListener {

    /** A listener that ignores everything. */
    ProgressListener NONE = new ProgressListener() {
    };

    /** A phase starts: "reading the teacher", "teacher embeddings", "training", "export", "verification". */
    default void phase(String description) {
    }

    /**
     * Training starts (or resumes).
     *
     * @param firstStep  the next step to run (0, or the checkpoint's step when resuming)
     * @param totalSteps the steps of the whole run
     */
    default void trainingStarted(int firstStep, int totalSteps) {
    }

    /**
     * One optimiser step is done.
     *
     * @param step         steps done so far (1-based)
     * @param totalSteps   steps of the whole run
     * @param loss         this step's loss (klWeight x KL + mseWeight x MSE)
     * @param learningRate the rate used for this step (after warm-up scaling)
     * @param elapsedNanos training time since this process started or resumed training
     */
    default void step(int step, int totalSteps, double loss, double learningRate, long elapsedNanos) {
    }

    /** A checkpoint of {@code step} steps was saved. */
    default void checkpointSaved(int step) {
    }
}
