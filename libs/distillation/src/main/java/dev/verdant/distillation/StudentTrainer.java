package dev.verdant.distillation;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The training loop: Adam (beta1 0.9, beta2 0.999, eps 1e-8, bias-corrected, no weight decay,
 * gradients clipped to a global norm of 1, a step with non-finite gradients skipped)
 * with a learning rate that rises linearly over the warm-up steps and then falls linearly to 0
 * at the last step (BERT's schedule):
 * <pre>
 *   lr(s) = peak x (s + 1) / warmup                       for s < warmup
 *   lr(s) = peak x (steps - s) / (steps - warmup)         after
 * </pre>
 * Adam is written here rather than taken from DJL so that its moments can be checkpointed.
 *
 * <p>Determinism: step s trains on batch s mod E of epoch s / E (E = sentences / batchSize,
 * whole batches only), where each epoch's order is a shuffle seeded by (seed, epoch). So a job
 * resumed from a checkpoint at step c sees exactly the batches an uninterrupted job sees from c on.
 */
final class StudentTrainer {

    static final double BETA1 = 0.9;
    static final double BETA2 = 0.999;
    static final double EPSILON = 1e-8;
    /** Gradients are scaled down to this global L2 norm when larger. */
    static final double MAX_GRADIENT_NORM = 1.0;
    /** More steps than this with non-finite gradients: the training has diverged. */
    static final int MAX_SKIPPED_STEPS = 20;

    record Result(int resumedFrom, double firstLoss, double finalLoss, double seconds) {
    }

    /** Steps skipped because their gradients were not finite. */
    private int skippedSteps;
    private final StudentNetwork network;
    private final List<Batch.TokenizedSentence> sentences;
    private final float[][] teacher;
    private final DistillationRequest request;
    private final long padId;
    private final Map<String, NDArray> firstMoments = new LinkedHashMap<>();
    private final Map<String, NDArray> secondMoments = new LinkedHashMap<>();
    private int[] epochOrder;
    private long orderEpoch = -1;

    StudentTrainer(StudentNetwork network, List<Batch.TokenizedSentence> sentences, float[][] teacher,
                   DistillationRequest request, long padId) {
        this.network = network;
        this.sentences = sentences;
        this.teacher = teacher;
        this.request = request;
        this.padId = padId;
    }

    Result train(String runKey, CheckpointStore store, ProgressListener listener) throws IOException {
        NDManager root = network.root;
        for (String name : network.trainable) {
            NDArray parameter = network.parameters.get(name);
            firstMoments.put(name, root.zeros(parameter.getShape()));
            secondMoments.put(name, root.zeros(parameter.getShape()));
        }
        int start = 0;
        var saved = store.latest(runKey);
        if (saved.isPresent()) {
            Checkpoint checkpoint = Checkpoint.decode(saved.get());
            if (checkpoint.runKey().equals(runKey) && checkpoint.step() <= request.steps()) {
                restore(checkpoint);
                start = checkpoint.step();
            }
        }
        network.requireGradients();
        int steps = request.steps();
        listener.trainingStarted(start, steps);
        Engine engine = Engine.getEngine(Distiller.TRAINING_ENGINE);
        long began = System.nanoTime();
        double firstLoss = Double.NaN;
        List<Double> recent = new ArrayList<>();
        for (int step = start; step < steps; step++) {
            double rate = learningRate(step);
            double loss;
            try (NDManager scope = root.newSubManager()) {
                network.attachTo(scope);
                scope.tempAttachAll(firstMoments.values().toArray(new NDArray[0]));
                scope.tempAttachAll(secondMoments.values().toArray(new NDArray[0]));
                int[] rows = batchRows(step);
                List<Batch.TokenizedSentence> chosen = new ArrayList<>(rows.length);
                float[] target = new float[rows.length * network.weights.hidden];
                for (int i = 0; i < rows.length; i++) {
                    chosen.add(sentences.get(rows[i]));
                    System.arraycopy(teacher[rows[i]], 0, target, i * network.weights.hidden, network.weights.hidden);
                }
                Batch batch = Batch.of(chosen, padId);
                NDArray teacherArray = scope.create(target, new Shape(rows.length, network.weights.hidden));
                try (GradientCollector collector = engine.newGradientCollector()) {
                    NDArray student = network.embed(scope, batch);
                    NDArray[] parts = DistillationLoss.compute(student, teacherArray, request.temperature(),
                            request.klWeight(), request.mseWeight());
                    collector.backward(parts[0]);
                    loss = DistillationLoss.scalar(parts[0]);
                }
                if (!Double.isFinite(loss)) {
                    throw new TrainingDivergedException(step + 1, loss);
                }
                adamStep(step + 1, rate);
            }
            if (Double.isNaN(firstLoss)) {
                firstLoss = loss;
            }
            recent.add(loss);
            if (recent.size() > 50) {
                recent.remove(0);
            }
            int done = step + 1;
            listener.step(done, steps, loss, rate, System.nanoTime() - began);
            boolean due = request.checkpointEvery() > 0 && done % request.checkpointEvery() == 0 && done < steps;
            if (due) {
                store.save(runKey, snapshot(runKey, done).encode());
                listener.checkpointSaved(done);
            }
        }
        double finalLoss = recent.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        return new Result(start, firstLoss, finalLoss, (System.nanoTime() - began) / 1e9);
    }

    /** lr(s): linear warm-up to the peak, then linear decay to 0 at the last step. */
    double learningRate(int step) {
        int warmup = request.effectiveWarmupSteps();
        int steps = request.steps();
        if (step < warmup) {
            return request.learningRate() * (step + 1) / warmup;
        }
        return request.learningRate() * (steps - step) / Math.max(1, steps - warmup);
    }

    /** The corpus rows of step {@code step}'s batch. */
    int[] batchRows(int step) {
        int size = request.batchSize();
        int perEpoch = sentences.size() / size;
        long epoch = step / perEpoch;
        int within = step % perEpoch;
        if (epoch != orderEpoch) {
            epochOrder = shuffled(sentences.size(), request.seed(), epoch);
            orderEpoch = epoch;
        }
        int[] rows = new int[size];
        System.arraycopy(epochOrder, within * size, rows, 0, size);
        return rows;
    }

    /** Fisher-Yates over 0..n-1 with java.util.Random seeded from (seed, epoch): the same on every JVM. */
    static int[] shuffled(int n, long seed, long epoch) {
        Random random = new Random(seed * 0x9E3779B97F4A7C15L + epoch);
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        return order;
    }

    /**
     * Adam, in place, outside autograd: m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;
     * w -= lr x (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps). Gradients are zeroed after.
     */
    private void adamStep(int t, double rate) {
        // Global gradient norm: a step whose gradients are not finite is skipped (the weights stay
        // as they are; the next batch decides), and gradients are clipped to MAX_GRADIENT_NORM, as
        // transformer training usually does, so one unlucky batch at the peak rate cannot blow up.
        double squared = 0;
        for (String name : network.trainable) {
            squared += network.parameters.get(name).getGradient().square().sum().toType(DataType.FLOAT64, false)
                    .getDouble();
        }
        double norm = Math.sqrt(squared);
        if (!Double.isFinite(norm)) {
            skippedSteps++;
            for (String name : network.trainable) {
                JniUtils.zeroGrad((PtNDArray) network.parameters.get(name));
            }
            if (skippedSteps > MAX_SKIPPED_STEPS) {
                throw new TrainingDivergedException(t, norm);
            }
            return;
        }
        float scale = norm > MAX_GRADIENT_NORM ? (float) (MAX_GRADIENT_NORM / norm) : 1f;
        float correction1 = (float) (1 - Math.pow(BETA1, t));
        float correction2 = (float) (1 - Math.pow(BETA2, t));
        for (String name : network.trainable) {
            NDArray parameter = network.parameters.get(name);
            NDArray gradient = scale == 1f ? parameter.getGradient() : parameter.getGradient().mul(scale);
            NDArray m = firstMoments.get(name);
            NDArray v = secondMoments.get(name);
            m.muli((float) BETA1).addi(gradient.mul((float) (1 - BETA1)));
            v.muli((float) BETA2).addi(gradient.square().mul((float) (1 - BETA2)));
            NDArray update = m.div(correction1).div(v.div(correction2).sqrt().add((float) EPSILON)).mul((float) rate);
            parameter.subi(update);
            JniUtils.zeroGrad((PtNDArray) parameter);
        }
    }

    private Checkpoint snapshot(String runKey, int step) {
        Map<String, float[]> arrays = new LinkedHashMap<>();
        for (String name : network.trainable) {
            arrays.put("w:" + name, network.parameters.get(name).toFloatArray());
            arrays.put("m:" + name, firstMoments.get(name).toFloatArray());
            arrays.put("v:" + name, secondMoments.get(name).toFloatArray());
        }
        return new Checkpoint(runKey, step, arrays);
    }

    private void restore(Checkpoint checkpoint) {
        for (String name : network.trainable) {
            float[] w = checkpoint.arrays().get("w:" + name);
            float[] m = checkpoint.arrays().get("m:" + name);
            float[] v = checkpoint.arrays().get("v:" + name);
            if (w == null || m == null || v == null) {
                throw new IllegalArgumentException("the checkpoint lacks '" + name + "': it belongs to another student");
            }
            network.parameters.get(name).set(w);
            firstMoments.get(name).set(m);
            secondMoments.get(name).set(v);
        }
    }

    /** Training produced a loss that is not a number. */
    static final class TrainingDivergedException extends RuntimeException {
        TrainingDivergedException(int step, double loss) {
            super("the loss became " + loss + " at step " + step + "; lower learningRate or raise temperature");
        }
    }
}
