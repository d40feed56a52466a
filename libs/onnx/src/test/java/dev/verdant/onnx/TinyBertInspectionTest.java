package dev.verdant.onnx;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.verdant.onnx.testing.TinyBertBuilder;
import dev.verdant.onnx.testing.TinyBertBuilder.LayerNormStyle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TinyBertInspectionTest {

    private final OnnxModelInspector inspector = new OnnxModelInspector();

    @ParameterizedTest(name = "{0} layers, hidden {1}, {2} heads, ffn {3}, vocab {4}, {5} positions, {6}")
    @CsvSource({
            "1, 16, 2, 32, 50, 8, DECOMPOSED",
            "2, 32, 4, 64, 100, 16, DECOMPOSED",
            "3, 48, 3, 96, 120, 32, FUSED",
            "4, 64, 8, 256, 200, 24, DECOMPOSED",
            "2, 24, 1, 40, 64, 10, FUSED",
            "4, 36, 6, 144, 77, 20, FUSED",
    })
    void detectsExactlyTheConfiguredArchitecture(int layers, int hidden, int heads, int ffn, int vocabulary,
                                                 int positions, LayerNormStyle style) {
        TinyBertBuilder builder = TinyBertBuilder.tiny().layers(layers).hidden(hidden).heads(heads).ffn(ffn)
                .vocabulary(vocabulary).maxPositions(positions).layerNorm(style);

        ModelFacts facts = accepted(inspector.inspect(builder.toBytes()));

        EncoderArchitecture architecture = facts.architecture();
        assertEquals(layers, architecture.layers());
        assertEquals(hidden, architecture.hiddenSize());
        assertEquals(heads, architecture.attentionHeads());
        assertEquals(hidden / heads, architecture.headSize());
        assertEquals(ffn, architecture.ffnSize());
        assertEquals(layers, architecture.ffnPairs());
        assertEquals(vocabulary, architecture.vocabularySize());
        assertEquals(positions, architecture.maxPositions());
        assertEquals(2, architecture.tokenTypes());
        assertTrue(architecture.hasTokenTypeInput());
        assertEquals(EncoderFamily.BERT, architecture.family());
        assertEquals(Activation.GELU, architecture.activation());
        assertEquals(style == LayerNormStyle.FUSED ? NormalizationForm.FUSED : NormalizationForm.DECOMPOSED,
                architecture.normalization());
        assertEquals(2 * layers + 1, architecture.layerNorms(), "two per layer plus the embeddings' one");
        assertEquals("float", architecture.weightElementType());
        assertFalse(architecture.hasPooledOutput());
        assertEquals(builder.expectedParameterCount(), facts.parameterCount());
    }

    @Test
    void reportsVersionsSignaturesAndHistogramOfTheDefaultBuild() {
        ModelFacts facts = accepted(inspector.inspect(TinyBertBuilder.tiny().toBytes()));

        assertEquals(6, facts.irVersion(), "MiniLM's IR version");
        assertEquals(11, facts.opsetVersion(), "MiniLM's opset");
        assertEquals("verdant-tiny-bert", facts.producerName());
        assertEquals(List.of(
                new TensorSignature("input_ids", "int64", List.of("batch_size", "sequence_length"), true),
                new TensorSignature("attention_mask", "int64", List.of("batch_size", "sequence_length"), true),
                new TensorSignature("token_type_ids", "int64", List.of("batch_size", "sequence_length"), true)),
                facts.inputs());
        assertEquals(List.of(new TensorSignature("last_hidden_state", "float",
                List.of("batch_size", "sequence_length", "32"), true)), facts.outputs());
        assertEquals(32, facts.outputs().get(0).lastFixedDimension());
        // Per layer as in MiniLM: 6 weight MatMuls + 2 attention MatMuls, one Softmax, one Erf.
        assertEquals(16, facts.opHistogram().get("MatMul"));
        assertEquals(2, facts.opHistogram().get("Softmax"));
        assertEquals(2, facts.opHistogram().get("Erf"));
        assertEquals(facts.nodeCount(), facts.opHistogram().values().stream().mapToInt(Integer::intValue).sum());
        // word, position, token type, LayerNorm gamma/beta, position_ids + 16 per layer
        assertEquals(6 + 2 * 16, facts.initializerCount());
    }

    /** The node sequence of one MiniLM layer, so rewriting code meets the real export's patterns. */
    @Test
    void emitsMiniLmsOpHistogramPerLayer() {
        ModelFacts one = accepted(inspector.inspect(TinyBertBuilder.tiny().layers(1).toBytes()));
        ModelFacts two = accepted(inspector.inspect(TinyBertBuilder.tiny().layers(2).toBytes()));
        Map<String, Integer> perLayer = new HashMap<>();
        two.opHistogram().forEach((op, count) -> perLayer.put(op, count - one.opHistogram().getOrDefault(op, 0)));
        perLayer.values().removeIf(count -> count == 0);
        // MiniLM (6 layers): Add 88, Concat 24, Constant 146, Div 25, Erf 6, Gather 52, MatMul 48, Mul 26,
        // Pow 13, ReduceMean 26, Reshape 24, Shape 49, Softmax 6, Sqrt 13, Sub 14, Transpose 24, Unsqueeze 51
        // minus the same with 5 layers = these per-layer counts.
        assertEquals(Map.ofEntries(
                Map.entry("Add", 14), Map.entry("Concat", 4), Map.entry("Constant", 23), Map.entry("Div", 4),
                Map.entry("Erf", 1), Map.entry("Gather", 8), Map.entry("MatMul", 8), Map.entry("Mul", 4),
                Map.entry("Pow", 2), Map.entry("ReduceMean", 4), Map.entry("Reshape", 4), Map.entry("Shape", 8),
                Map.entry("Softmax", 1), Map.entry("Sqrt", 2), Map.entry("Sub", 2), Map.entry("Transpose", 4),
                Map.entry("Unsqueeze", 8)), perLayer);
    }

    @Test
    void detectionReadsStructureNotNames() {
        ModelProto model = TinyBertBuilder.tiny().layers(3).hidden(40).heads(5).ffn(80).build();

        ModelFacts facts = accepted(inspector.inspect(anonymised(model).toByteArray()));

        EncoderArchitecture architecture = facts.architecture();
        assertEquals(List.of(3, 40, 5, 8, 80, 100, 16, 2),
                List.of(architecture.layers(), architecture.hiddenSize(), architecture.attentionHeads(),
                        architecture.headSize(), architecture.ffnSize(), architecture.vocabularySize(),
                        architecture.maxPositions(), architecture.tokenTypes()));
    }

    @Test
    void findsThePooler() {
        TinyBertBuilder builder = TinyBertBuilder.tiny().pooledOutput(true);

        ModelFacts facts = accepted(inspector.inspect(builder.toBytes()));

        assertTrue(facts.architecture().hasPooledOutput());
        assertEquals(builder.expectedParameterCount(), facts.parameterCount());
        assertEquals(List.of("batch_size", "32"), facts.outputs().get(1).shape());
    }

    @Test
    void hashesAndSizesTheFileAsRead(@TempDir Path directory) throws Exception {
        Path file = TinyBertBuilder.tiny().writeTo(directory.resolve("tiny.onnx"));
        byte[] bytes = Files.readAllBytes(file);

        ModelFacts facts = accepted(inspector.inspect(file));

        assertEquals(bytes.length, facts.fileSizeBytes());
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)), facts.sha256());
        assertEquals(facts, accepted(inspector.inspect(bytes)), "path and bytes give the same facts");
    }

    @Test
    void sameSeedSameBytes() {
        assertEquals(HexFormat.of().formatHex(TinyBertBuilder.tiny().seed(3).toBytes()),
                HexFormat.of().formatHex(TinyBertBuilder.tiny().seed(3).toBytes()));
        assertFalse(java.util.Arrays.equals(TinyBertBuilder.tiny().seed(3).toBytes(), TinyBertBuilder.tiny().seed(4).toBytes()));
    }

    static ModelFacts accepted(Inspection inspection) {
        if (inspection instanceof Inspection.Rejected rejected) {
            throw new AssertionError("rejected: " + rejected.reason() + ": " + rejected.message());
        }
        return assertInstanceOf(Inspection.Accepted.class, inspection).facts();
    }

    /** Every node, initializer and internal tensor renamed to t0, t1, ...; graph inputs and outputs kept. */
    static ModelProto anonymised(ModelProto model) {
        GraphProto graph = model.getGraph();
        Map<String, String> names = new HashMap<>();
        graph.getInputList().forEach(input -> names.put(input.getName(), input.getName()));
        graph.getOutputList().forEach(output -> names.put(output.getName(), output.getName()));
        GraphProto.Builder renamed = graph.toBuilder().clearNode().clearInitializer();
        for (TensorProto initializer : graph.getInitializerList()) {
            renamed.addInitializer(initializer.toBuilder().setName(rename(names, initializer.getName())));
        }
        int n = 0;
        for (NodeProto node : graph.getNodeList()) {
            NodeProto.Builder copy = node.toBuilder().setName("n" + n++).clearInput().clearOutput();
            node.getInputList().forEach(input -> copy.addInput(rename(names, input)));
            node.getOutputList().forEach(output -> copy.addOutput(rename(names, output)));
            renamed.addNode(copy);
        }
        return model.toBuilder().setGraph(renamed).build();
    }

    private static String rename(Map<String, String> names, String name) {
        return names.computeIfAbsent(name, unused -> "t" + names.size());
    }
}
