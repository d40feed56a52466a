package dev.verdant.cli;

import dev.verdant.distillation.DistillationOutcome;
import dev.verdant.distillation.DistillationReport;
import dev.verdant.distillation.DistillationRequest;
import dev.verdant.distillation.Distiller;
import dev.verdant.distillation.FolderCheckpointStore;
import dev.verdant.distillation.ProgressListener;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * Distils an ONNX BERT encoder into a student with fewer layers, offline (libs/distillation): the
 * same core the distillation service runs. A killed run started again with the same arguments
 * resumes from its last checkpoint.
 */
@Command(name = "distill", description = {
        "Train a smaller student (fewer layers) from an ONNX BERT teacher and export it to ONNX.",
        "Trains on DJL's PyTorch engine, offline; checkpoints let a killed run resume where it stopped."})
final class DistillCommand implements Callable<Integer> {
    @ParentCommand
    VerdantCli cli;

    @Option(names = "--teacher", required = true, paramLabel = "IN.onnx", description = "the ONNX encoder to distil")
    Path teacher;

    @Option(names = "--tokenizer", paramLabel = "T.json", description = "its tokenizer.json (default: tokenizer.json beside the teacher)")
    Path tokenizer;

    @Option(names = "--out", required = true, paramLabel = "OUT.onnx", description = "where the student goes")
    Path out;

    @Option(names = "--layers", paramLabel = "N", description = "student layers (default: half the teacher's; 6 -> 3 keeps layers 1, 3, 5)")
    int layers;

    @Option(names = "--steps", paramLabel = "N", description = "training steps (default: ${DEFAULT-VALUE}; about 3 a second on 2 cores for MiniLM)")
    int steps = DistillationRequest.DEFAULT_STEPS;

    @Option(names = "--corpus", paramLabel = "FILE", description = "training sentences, one a line, UTF-8 (default: the STS-B train sentences)")
    Path corpus;

    @Option(names = "--ffn-size", paramLabel = "N", description = "narrower student FFN (default: the teacher's)")
    int ffnSize;

    @Option(names = "--batch-size", paramLabel = "N", description = "sentences per step (default: ${DEFAULT-VALUE})")
    int batchSize = DistillationRequest.DEFAULT_BATCH_SIZE;

    @Option(names = "--learning-rate", paramLabel = "LR", description = "Adam's peak rate after warm-up (default: ${DEFAULT-VALUE})")
    double learningRate = DistillationRequest.DEFAULT_LEARNING_RATE;

    @Option(names = "--temperature", paramLabel = "T", description = "softmax temperature of the similarity distributions (default: ${DEFAULT-VALUE})")
    double temperature = DistillationRequest.DEFAULT_TEMPERATURE;

    @Option(names = "--kl-weight", paramLabel = "W", description = "weight of the KL term (default: ${DEFAULT-VALUE})")
    double klWeight = DistillationRequest.DEFAULT_KL_WEIGHT;

    @Option(names = "--mse-weight", paramLabel = "W", description = "weight of the embedding MSE term (default: ${DEFAULT-VALUE})")
    double mseWeight = DistillationRequest.DEFAULT_MSE_WEIGHT;

    @Option(names = "--seed", paramLabel = "N", description = "fixes data order and the run (default: ${DEFAULT-VALUE})")
    long seed = DistillationRequest.DEFAULT_SEED;

    @Option(names = "--train-token-embedding", description = "also train the word-embedding table (about 3x slower)")
    boolean trainTokenEmbedding;

    @Option(names = "--checkpoint-every", paramLabel = "N", description = "steps between checkpoints (default: ${DEFAULT-VALUE})")
    int checkpointEvery = DistillationRequest.DEFAULT_CHECKPOINT_EVERY;

    @Option(names = "--checkpoints", paramLabel = "DIR", description = "checkpoint folder (default: OUT.onnx.checkpoints beside the output)")
    Path checkpoints;

    @Option(names = "--threads", paramLabel = "N", description = "PyTorch and ONNX Runtime threads (default: ${DEFAULT-VALUE})")
    int threads = DistillationRequest.defaultThreads();

    @Option(names = "--quiet", description = "no progress bar")
    boolean quiet;

    private static final String DJL_LOG_LEVEL = "org.slf4j.simpleLogger.log.ai.djl";

    @Override
    public Integer call() {
        if (System.getProperty(DJL_LOG_LEVEL) == null) {
            System.setProperty(DJL_LOG_LEVEL, "error");
        }
        DistillationRequest request;
        try {
            request = DistillationRequest.defaults().withLayers(layers).withFfnSize(ffnSize).withSteps(steps)
                    .withBatchSize(batchSize).withLearningRate(learningRate).withWeights(klWeight, mseWeight, temperature)
                    .withSeed(seed).withTrainTokenEmbedding(trainTokenEmbedding).withCheckpointEvery(checkpointEvery)
                    .withCorpus(corpus).withThreads(threads);
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage());
        }
        Path tok = tokenizer != null ? tokenizer : teacher.toAbsolutePath().resolveSibling("tokenizer.json");
        Path folder = checkpoints != null ? checkpoints
                : out.toAbsolutePath().resolveSibling(out.getFileName() + ".checkpoints");
        ProgressBar bar = new ProgressBar(cli.err(), quiet);
        DistillationOutcome outcome = new Distiller().distill(teacher, tok, out, request, bar,
                new FolderCheckpointStore(folder));
        bar.finish();
        if (outcome instanceof DistillationOutcome.Failed failed) {
            throw new CliException(failed.message() + " [" + failed.reason() + "]");
        }
        DistillationReport report = ((DistillationOutcome.Distilled) outcome).report();
        PrintWriter o = cli.out();
        o.printf(Locale.ROOT, "student    %s (%.1f MB, %,d parameters; teacher %,d)%n", out, report.modelBytes() / 1e6,
                report.studentParameters(), report.teacherParameters());
        o.printf(Locale.ROOT, "layers     %d of %d, from teacher layers %s, FFN %d%n", report.keptLayers().size(),
                report.teacherLayers(), report.keptLayers(), report.ffnSize());
        o.printf(Locale.ROOT, "training   %d steps of %d sentences (%,d distinct)%s, loss %.4f -> %.4f, %.0f s%n",
                report.steps(), report.batchSize(), report.sentences(),
                report.resumedFromStep() > 0 ? ", resumed at step " + report.resumedFromStep() : "",
                report.firstLoss(), report.finalLoss(), report.trainingSeconds());
        o.printf(Locale.ROOT, "export     ONNX vs trained student: min cosine %.6f; %.0f s in all%n",
                report.exportMinCosine(), report.totalSeconds());
        return 0;
    }

    /** One line on stderr, redrawn at most 5 times a second: [#####-----] step/total loss rate ETA. */
    static final class ProgressBar implements ProgressListener {
        private static final int WIDTH = 30;
        private final PrintWriter err;
        private final boolean quiet;
        private long lastDraw;
        private boolean drawn;
        private int firstStep;

        ProgressBar(PrintWriter err, boolean quiet) {
            this.err = err;
            this.quiet = quiet;
        }

        @Override
        public void phase(String description) {
            if (!quiet) {
                finish();
                err.println(description + " ...");
            }
        }

        @Override
        public void trainingStarted(int first, int totalSteps) {
            firstStep = first;
            if (!quiet && first > 0) {
                err.printf(Locale.ROOT, "resuming from the checkpoint at step %d of %d%n", first, totalSteps);
            }
        }

        @Override
        public void step(int step, int totalSteps, double loss, double learningRate, long elapsedNanos) {
            long now = System.nanoTime();
            if (quiet || (now - lastDraw < 200_000_000L && step < totalSteps)) {
                return;
            }
            lastDraw = now;
            err.print("\r" + line(step, totalSteps, loss, step - firstStep, elapsedNanos));
            err.flush();
            drawn = true;
        }

        static String line(int step, int totalSteps, double loss, int stepsHere, long elapsedNanos) {
            int filled = (int) ((long) WIDTH * step / Math.max(1, totalSteps));
            double rate = stepsHere / Math.max(elapsedNanos / 1e9, 1e-9);
            long eta = rate > 0 ? Math.round((totalSteps - step) / rate) : 0;
            return String.format(Locale.ROOT, "[%s%s] %d/%d loss %.4f  %.2f steps/s  ETA %dm%02ds ",
                    "#".repeat(filled), "-".repeat(WIDTH - filled), step, totalSteps, loss, rate, eta / 60, eta % 60);
        }

        void finish() {
            if (drawn) {
                err.println();
                drawn = false;
            }
        }
    }
}
