package dev.verdant.distillation;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.onnx.proto.OnnxMl.ModelProto;
import dev.verdant.onnx.OnnxGraphs;
import dev.verdant.onnx.testing.TinyBertBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The teacher's weights, copied into the DJL student, give the teacher's embeddings (ONNX Runtime). */
class WeightTransferTest {

    @TempDir
    Path dir;

    private double minCosine(ModelProto teacher, List<Integer> kept, int ffn, boolean exported) throws Exception {
        return minCosine(teacher, kept, ffn, exported, false);
    }

    private double minCosine(ModelProto teacher, List<Integer> kept, int ffn, boolean exported, boolean swapQk)
            throws Exception {
        DjlSettings.configure();
        BertLayout layout = BertLayout.of(teacher);
        List<Batch.TokenizedSentence> tokens = SentenceTokens.tokenize(TinyTeachers.tokenizer(dir), TinyTeachers.sentences(), 128);
        StudentWeights weights = StudentWeights.fromTeacher(layout, kept, 4, ffn);
        if (swapQk) {
            weights = weights.withValues(java.util.Map.of("l0.q.w", weights.tensors.get("l0.k.w").values(),
                    "l0.k.w", weights.tensors.get("l0.q.w").values()));
        }
        try (NDManager root = Engine.getEngine(Distiller.TRAINING_ENGINE).newBaseManager(Device.cpu());
             StudentNetwork network = new StudentNetwork(root, weights, false)) {
            if (exported) {
                return Distiller.verify(OnnxGraphs.toBytes(StudentExporter.export(layout, weights)), layout, network,
                        tokens, 1);
            }
            Batch batch = Batch.of(tokens.subList(0, 40), 0);
            float[][] student = network.embedValues(batch);
            try (OnnxEncoder encoder = OnnxEncoder.open(OnnxGraphs.toBytes(teacher), layout, 1)) {
                float[][] reference = encoder.embed(batch);
                double min = 1;
                for (int i = 0; i < student.length; i++) {
                    min = Math.min(min, Distiller.cosine(student[i], reference[i]));
                }
                return min;
            }
        }
    }

    @Test
    void everyLayerKeptGivesTheTeachersEmbeddings() throws Exception {
        ModelProto teacher = TinyTeachers.amplified(TinyTeachers.builder(3), 20);
        BertLayout layout = BertLayout.of(teacher);
        assertThat(layout.layers).hasSize(3);
        assertThat(minCosine(teacher, List.of(0, 1, 2), 0, false)).isGreaterThanOrEqualTo(0.9999);
    }

    @Test
    void fusedLayerNormTeacherTransfersToo() throws Exception {
        ModelProto teacher = TinyTeachers.amplified(TinyTeachers.builder(2).layerNorm(TinyBertBuilder.LayerNormStyle.FUSED), 20);
        assertThat(minCosine(teacher, List.of(0, 1), 0, false)).isGreaterThanOrEqualTo(0.9999);
    }

    /** The check can fail: layers in the wrong order, or Q and K swapped, change the embeddings. */
    @Test
    void theCheckNoticesAWrongTransfer() throws Exception {
        ModelProto teacher = TinyTeachers.amplified(TinyTeachers.builder(2), 20);
        assertThat(minCosine(teacher, List.of(1, 0), 0, false)).isLessThan(0.999);
        assertThat(minCosine(teacher, List.of(0, 1), 0, false, true)).isLessThan(0.999);
    }

    @Test
    void queryKeyAndValueAreToldApartByStructure() {
        BertLayout layout = BertLayout.of(TinyTeachers.builder(2).build());
        BertLayout.Layer layer = layout.layers.get(1);
        assertThat(layer.query().weight()).isEqualTo("encoder.layer.1.attention.self.query.weight");
        assertThat(layer.key().weight()).isEqualTo("encoder.layer.1.attention.self.key.weight");
        assertThat(layer.value().weight()).isEqualTo("encoder.layer.1.attention.self.value.weight");
        assertThat(layer.up().weight()).isEqualTo("encoder.layer.1.intermediate.dense.weight");
        assertThat(layout.typeTable).isEqualTo("embeddings.token_type_embeddings.weight");
        assertThat(layout.positionTable).isEqualTo("embeddings.position_embeddings.weight");
    }

    @Test
    void exportedStudentMatchesTheDjlStudent() throws Exception {
        ModelProto teacher = TinyTeachers.amplified(TinyTeachers.builder(4), 20);
        assertThat(minCosine(teacher, List.of(1, 3), 0, true)).isGreaterThanOrEqualTo(0.9999);
        // top layer dropped: the graph output is rewired through an Identity
        assertThat(minCosine(teacher, List.of(0, 2), 0, true)).isGreaterThanOrEqualTo(0.9999);
        // narrower FFN
        assertThat(minCosine(teacher, List.of(1, 3), 40, true)).isGreaterThanOrEqualTo(0.9999);
    }

    @Test
    void exportDropsTheLayersNodesAndWeights() {
        ModelProto teacher = TinyTeachers.builder(4).build();
        BertLayout layout = BertLayout.of(teacher);
        StudentWeights weights = StudentWeights.fromTeacher(layout, List.of(1, 3), 4, 0);
        ModelProto student = StudentExporter.export(layout, weights);
        BertLayout studentLayout = BertLayout.of(student);
        assertThat(studentLayout.layers).hasSize(2);
        assertThat(student.getGraph().getInitializerList()).noneMatch(t -> t.getName().startsWith("encoder.layer.0.")
                || t.getName().startsWith("encoder.layer.2."));
        assertThat(student.getGraph().getNodeList()).noneMatch(n -> n.getName().startsWith("/encoder/layer.0/")
                || n.getName().startsWith("/encoder/layer.2/"));
        long perLayer = (teacher.getGraph().getNodeCount() - student.getGraph().getNodeCount()) / 2;
        assertThat(perLayer).isPositive();
    }

    @Test
    void keptLayersAreEvenlySpacedAndEndAtTheTop() {
        assertThat(StudentWeights.keptLayers(6, 3)).containsExactly(1, 3, 5);
        assertThat(StudentWeights.keptLayers(6, 6)).containsExactly(0, 1, 2, 3, 4, 5);
        assertThat(StudentWeights.keptLayers(6, 2)).containsExactly(2, 5);
        assertThat(StudentWeights.keptLayers(12, 4)).containsExactly(2, 5, 8, 11);
    }
}
