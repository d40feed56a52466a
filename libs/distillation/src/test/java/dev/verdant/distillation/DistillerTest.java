package dev.verdant.distillation;

import dev.verdant.onnx.OnnxGraphs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The whole job on a tiny teacher: train, export, verify; and a killed job resumed from its checkpoint. */
class DistillerTest {

    @TempDir
    Path dir;

    private Path teacher() throws Exception {
        Path file = dir.resolve("teacher.onnx");
        OnnxGraphs.write(TinyTeachers.amplified(TinyTeachers.builder(4), 20), file);
        return file;
    }

    private DistillationRequest request(Path corpus) {
        return DistillationRequest.defaults().withLayers(2).withSteps(12).withBatchSize(16).withLearningRate(1e-3)
                .withCheckpointEvery(4).withCorpus(corpus).withThreads(1);
    }

    @Test
    void trainsExportsAndVerifiesAStudent() throws Exception {
        Path teacher = teacher();
        Path tokenizer = TinyTeachers.tokenizer(dir);
        List<Double> losses = new ArrayList<>();
        ProgressListener listener = new ProgressListener() {
            @Override
            public void step(int step, int totalSteps, double loss, double learningRate, long elapsedNanos) {
                losses.add(loss);
            }
        };
        DistillationOutcome outcome = new Distiller().distill(teacher, tokenizer, dir.resolve("student.onnx"),
                request(TinyTeachers.corpus(dir)).withSteps(40), listener, new FolderCheckpointStore(dir.resolve("ckpt")));
        assertThat(outcome).isInstanceOf(DistillationOutcome.Distilled.class);
        DistillationReport report = ((DistillationOutcome.Distilled) outcome).report();
        assertThat(report.keptLayers()).containsExactly(1, 3);
        assertThat(report.exportMinCosine()).isGreaterThanOrEqualTo(Distiller.EXPORT_MIN_COSINE);
        assertThat(report.studentParameters()).isLessThan(report.teacherParameters());
        assertThat(losses).hasSize(40);
        double firstFive = losses.subList(0, 5).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        double lastFive = losses.subList(35, 40).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        assertThat(lastFive).as("training lowers the loss").isLessThan(firstFive);
        assertThat(Files.list(dir.resolve("ckpt"))).as("checkpoints cleared once exported").isEmpty();
        assertThat(BertLayout.of(OnnxGraphs.read(dir.resolve("student.onnx"))).layers).hasSize(2);
    }

    /**
     * Killed after step 6 (checkpoint at step 4), then started again: it resumes from step 4 and
     * ends with the same student as a job never interrupted.
     */
    @Test
    void aResumedJobEndsWithTheSameStudentAsAnUninterruptedOne() throws Exception {
        Path teacher = teacher();
        Path tokenizer = TinyTeachers.tokenizer(dir);
        DistillationRequest request = request(TinyTeachers.corpus(dir));
        Distiller distiller = new Distiller();

        DistillationOutcome uninterrupted = distiller.distill(teacher, tokenizer, dir.resolve("whole.onnx"), request,
                ProgressListener.NONE, new FolderCheckpointStore(dir.resolve("whole-ckpt")));
        assertThat(uninterrupted).isInstanceOf(DistillationOutcome.Distilled.class);

        FolderCheckpointStore store = new FolderCheckpointStore(dir.resolve("killed-ckpt"));
        ProgressListener killer = new ProgressListener() {
            @Override
            public void step(int step, int totalSteps, double loss, double learningRate, long elapsedNanos) {
                if (step == 6) {
                    throw new IllegalStateException("killed");
                }
            }
        };
        assertThatThrownBy(() -> distiller.distill(teacher, tokenizer, dir.resolve("resumed.onnx"), request, killer, store))
                .hasMessage("killed");
        assertThat(Files.list(store.folder())).as("the checkpoint and the teacher embeddings").hasSize(2);
        List<Integer> firstSteps = new ArrayList<>();
        DistillationOutcome resumed = distiller.distill(teacher, tokenizer, dir.resolve("resumed.onnx"), request,
                new ProgressListener() {
                    @Override
                    public void trainingStarted(int firstStep, int totalSteps) {
                        firstSteps.add(firstStep);
                    }
                }, store);
        assertThat(resumed).isInstanceOf(DistillationOutcome.Distilled.class);
        assertThat(firstSteps).containsExactly(4);
        assertThat(((DistillationOutcome.Distilled) resumed).report().resumedFromStep()).isEqualTo(4);

        double whole = ((DistillationOutcome.Distilled) uninterrupted).report().finalLoss();
        // The resumed process ran steps 5-12 only: compare the students themselves, weight by weight.
        var a = OnnxGraphs.read(dir.resolve("whole.onnx")).getGraph().getInitializerList();
        var b = OnnxGraphs.read(dir.resolve("resumed.onnx")).getGraph().getInitializerList();
        assertThat(b).hasSameSizeAs(a);
        double maxDifference = 0;
        boolean changed = false;
        var original = OnnxGraphs.read(teacher).getGraph().getInitializerList().stream()
                .collect(java.util.stream.Collectors.toMap(t -> t.getName(), t -> t));
        for (int i = 0; i < a.size(); i++) {
            assertThat(b.get(i).getName()).isEqualTo(a.get(i).getName());
            if (a.get(i).getDataType() != 1) {
                continue;
            }
            float[] x = dev.verdant.onnx.Tensors.toFloats(a.get(i));
            float[] y = dev.verdant.onnx.Tensors.toFloats(b.get(i));
            float[] t = dev.verdant.onnx.Tensors.toFloats(original.get(a.get(i).getName()));
            for (int j = 0; j < x.length; j++) {
                maxDifference = Math.max(maxDifference, Math.abs(x[j] - y[j]));
                changed |= x[j] != t[j];
            }
        }
        assertThat(changed).as("training moved the weights").isTrue();
        assertThat(maxDifference).as("resumed vs uninterrupted, largest weight difference").isLessThan(1e-5);
        assertThat(whole).isFinite();
    }

    @Test
    void clearFailures() throws Exception {
        Path teacher = teacher();
        Path tokenizer = TinyTeachers.tokenizer(dir);
        Distiller distiller = new Distiller();
        DistillationOutcome tooMany = distiller.distill(teacher, tokenizer, dir.resolve("x.onnx"),
                request(TinyTeachers.corpus(dir)).withLayers(5), ProgressListener.NONE, CheckpointStore.NONE);
        assertThat(tooMany).isInstanceOfSatisfying(DistillationOutcome.Failed.class, failed -> {
            assertThat(failed.reason()).isEqualTo(FailureReason.UNSUPPORTED_ARCHITECTURE);
            assertThat(failed.message()).contains("layers 5").contains("1 to 4");
        });
        DistillationOutcome missing = distiller.distill(dir.resolve("nope.onnx"), tokenizer, dir.resolve("x.onnx"),
                request(TinyTeachers.corpus(dir)), ProgressListener.NONE, CheckpointStore.NONE);
        assertThat(missing).isInstanceOfSatisfying(DistillationOutcome.Failed.class,
                failed -> assertThat(failed.reason()).isEqualTo(FailureReason.MODEL_UNREADABLE));
        Path small = Files.write(dir.resolve("small.txt"), List.of("one sentence", "another one"));
        DistillationOutcome fewSentences = distiller.distill(teacher, tokenizer, dir.resolve("x.onnx"), request(small),
                ProgressListener.NONE, CheckpointStore.NONE);
        assertThat(fewSentences).isInstanceOfSatisfying(DistillationOutcome.Failed.class, failed -> {
            assertThat(failed.reason()).isEqualTo(FailureReason.CORPUS_UNUSABLE);
            assertThat(failed.message()).contains("2 distinct sentences");
        });
        Path brokenTokenizer = Files.writeString(dir.resolve("broken.json"), "{\"model\": 42}");
        DistillationOutcome unusable = distiller.distill(teacher, brokenTokenizer, dir.resolve("x.onnx"),
                request(TinyTeachers.corpus(dir)), ProgressListener.NONE, CheckpointStore.NONE);
        assertThat(unusable).isInstanceOfSatisfying(DistillationOutcome.Failed.class, failed -> {
            assertThat(failed.reason()).isEqualTo(FailureReason.TOKENIZER_UNUSABLE);
            assertThat(failed.message()).contains("broken.json");
        });
    }
}
