package dev.verdant.onnx;

import ai.onnx.proto.OnnxMl.ModelProto;
import dev.verdant.onnx.testing.RejectableModels;
import dev.verdant.onnx.testing.TinyBertBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InspectionRejectionTest {

    private final OnnxModelInspector inspector = new OnnxModelInspector();
    private final ModelProto tiny = TinyBertBuilder.tiny().build();

    @Test
    void emptyFile(@TempDir Path directory) throws Exception {
        Path empty = Files.createFile(directory.resolve("model.onnx"));

        Inspection.Rejected rejected = rejected(inspector.inspect(empty), ReasonCode.EMPTY_FILE);

        assertTrue(rejected.message().contains("0 bytes"), rejected.message());
        assertTrue(rejected.message().contains("Upload"), rejected.message());
        rejected(inspector.inspect(new byte[0]), ReasonCode.EMPTY_FILE);
    }

    @Test
    void missingFileAndDirectoryAreUnreadable(@TempDir Path directory) {
        rejected(inspector.inspect(directory.resolve("absent.onnx")), ReasonCode.STORAGE_ERROR);
        Inspection.Rejected folder = rejected(inspector.inspect(directory), ReasonCode.STORAGE_ERROR);
        assertTrue(folder.message().contains("directory"), folder.message());
    }

    @Test
    void tooLargeIsRefusedBeforeParsing(@TempDir Path directory) throws Exception {
        byte[] bytes = tiny.toByteArray();
        Path file = Files.write(directory.resolve("model.onnx"), bytes);
        OnnxModelInspector strict = new OnnxModelInspector(InspectionPolicy.defaults().withMaxFileBytes(bytes.length - 1));

        Inspection.Rejected rejected = rejected(strict.inspect(file), ReasonCode.TOO_LARGE);

        assertTrue(rejected.message().contains(bytes.length + " bytes"), rejected.message());
        // Exactly at the limit is fine.
        assertInstanceOf(Inspection.Accepted.class,
                new OnnxModelInspector(InspectionPolicy.defaults().withMaxFileBytes(bytes.length)).inspect(file));
    }

    @Test
    void randomBytesAreNotOnnx() {
        byte[] noise = new byte[4096];
        new Random(1).nextBytes(noise);

        Inspection.Rejected rejected = rejected(inspector.inspect(noise), ReasonCode.NOT_ONNX);

        assertTrue(rejected.message().contains("not an ONNX model"), rejected.message());
        assertTrue(rejected.message().contains("torch.onnx.export"), rejected.message());
    }

    @Test
    void namesKnownFormats() {
        byte[] zip = {'P', 'K', 3, 4, 20, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        assertTrue(rejected(inspector.inspect(zip), ReasonCode.NOT_ONNX).message().contains("ZIP archive"));
        byte[] json = "{\"version\": \"1.0\", \"model\": {}}".getBytes();
        assertTrue(rejected(inspector.inspect(json), ReasonCode.NOT_ONNX).message().contains("text file"));
    }

    @Test
    void truncatedModel() {
        byte[] bytes = tiny.toByteArray();

        Inspection.Rejected rejected = rejected(inspector.inspect(Arrays.copyOf(bytes, bytes.length / 2)),
                ReasonCode.TRUNCATED);

        assertTrue(rejected.message().contains("IR version 6"), rejected.message());
        assertTrue(rejected.message().contains("verdant-tiny-bert"), rejected.message());
        assertTrue(rejected.message().contains("upload the complete file"), rejected.message());
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 2, 12, 1_000_000})
    void unsupportedIrVersion(long irVersion) {
        Inspection.Rejected rejected = rejected(inspector.inspect(
                RejectableModels.withIrVersion(tiny, irVersion).toByteArray()), ReasonCode.IR_VERSION_UNSUPPORTED);

        assertTrue(rejected.message().contains("IR 3 to 11"), rejected.message());
        if (irVersion > 0) {
            assertTrue(rejected.message().contains("IR version " + irVersion), rejected.message());
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 6, 24, 99})
    void unsupportedOpset(long opset) {
        Inspection.Rejected rejected = rejected(inspector.inspect(
                RejectableModels.withOpset(tiny, opset).toByteArray()), ReasonCode.OPSET_UNSUPPORTED);

        assertTrue(rejected.message().contains("opset " + opset), rejected.message());
        assertTrue(rejected.message().contains("7 to 23"), rejected.message());
    }

    @Test
    void missingDefaultOpset() {
        ModelProto noOpset = tiny.toBuilder().clearOpsetImport().build();

        Inspection.Rejected rejected = rejected(inspector.inspect(noOpset.toByteArray()), ReasonCode.OPSET_UNSUPPORTED);

        assertTrue(rejected.message().contains("no opset"), rejected.message());
    }

    @Test
    void externalDataNamesTheLocationAndTheFix() {
        ModelProto external = RejectableModels.withExternalData(tiny, "tiny.onnx.data");

        Inspection.Rejected rejected = rejected(inspector.inspect(external.toByteArray()), ReasonCode.EXTERNAL_DATA);

        assertTrue(rejected.message().contains("'tiny.onnx.data'"), rejected.message());
        assertTrue(rejected.message().contains("embeddings.word_embeddings.weight"), rejected.message());
        assertTrue(rejected.message().contains("save_as_external_data=False"), rejected.message());
    }

    /** Regression: a crafted length was reported in protobuf's words ("invalid tag (zero)", "May be malicious"). */
    @Test
    void absurdDeclaredLengthsAreNamedWithTheField() {
        byte[] graphLength = {0x08, 8, 0x3A, (byte) 0xF0, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x07, 0, 0, 0, 0, 0, 0, 0, 0};
        byte[] stringLength = {0x08, 8, 0x12, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x07, 'p', 'y'};
        String graph = rejected(inspector.inspect(graphLength), ReasonCode.TRUNCATED).message();
        assertTrue(graph.contains("field graph (7) declares 2147483632 bytes, but only 8 of the file's 16 bytes follow"),
                graph);
        String producer = rejected(inspector.inspect(stringLength), ReasonCode.TRUNCATED).message();
        assertTrue(producer.contains("producer_name (2) declares 2147483647 bytes"), producer);
        assertFalse(producer.contains("malicious"), producer);
    }

    @Test
    void externalDataOutsideTheModelsFolderIsCalledOut() {
        for (String location : List.of("../../secrets/weights.bin", "/etc/passwd", "C:\\Windows\\x.bin", "a/../../b")) {
            String message = rejected(inspector.inspect(RejectableModels.withExternalData(tiny, location).toByteArray()),
                    ReasonCode.EXTERNAL_DATA).message();
            assertTrue(message.contains("outside the model's folder"), location + ": " + message);
        }
        String beside = rejected(inspector.inspect(RejectableModels.withExternalData(tiny, "weights/w.bin").toByteArray()),
                ReasonCode.EXTERNAL_DATA).message();
        assertFalse(beside.contains("outside the model's folder"), beside);
    }

    @Test
    void externalLocationIsReportedSafely() {
        String hostile = "../../etc/passwd\n\u001b[31mINJECTED\u202e" + "x".repeat(500);
        ModelProto external = RejectableModels.withExternalData(tiny, hostile);

        String message = rejected(inspector.inspect(external.toByteArray()), ReasonCode.EXTERNAL_DATA).message();

        assertFalse(message.contains("\n"), message);
        assertFalse(message.contains("\u001b"), message);
        assertFalse(message.contains("\u202e"), "no bidi override: " + message);
        assertTrue(message.contains("../../etc/passwd?"), message);
        assertTrue(message.length() < 1000, "location cut short: " + message.length());
    }

    @Test
    void danglingInput() {
        ModelProto dangling = RejectableModels.withDanglingInput(tiny, "weight_that_is_not_there");

        Inspection.Rejected rejected = rejected(inspector.inspect(dangling.toByteArray()), ReasonCode.GRAPH_INVALID);

        assertTrue(rejected.message().contains("'weight_that_is_not_there'"), rejected.message());
        assertTrue(rejected.message().contains("(MatMul)"), rejected.message());
        assertTrue(rejected.message().contains("onnx.checker"), rejected.message());
    }

    @Test
    void nameProducedTwice() {
        Inspection.Rejected rejected = rejected(inspector.inspect(
                RejectableModels.withDuplicateOutput(tiny).toByteArray()), ReasonCode.GRAPH_INVALID);

        assertTrue(rejected.message().contains("produced twice"), rejected.message());
    }

    @Test
    void noInputsOrOutputs() {
        ModelProto bare = tiny.toBuilder().setGraph(tiny.getGraph().toBuilder().clearInput().clearOutput()).build();

        Inspection.Rejected rejected = rejected(inspector.inspect(bare.toByteArray()), ReasonCode.GRAPH_INVALID);

        assertTrue(rejected.message().contains("no inputs"), rejected.message());
        assertTrue(rejected.message().contains("no outputs"), rejected.message());
    }

    @Test
    void outputNeverProduced() {
        ModelProto model = tiny.toBuilder().setGraph(tiny.getGraph().toBuilder()
                .setOutput(0, tiny.getGraph().getOutput(0).toBuilder().setName("ghost"))).build();

        assertTrue(rejected(inspector.inspect(model.toByteArray()), ReasonCode.GRAPH_INVALID)
                .message().contains("'ghost' is never produced"));
    }

    @Test
    void dimsThatTheDataCannotFill() {
        Inspection.Rejected rejected = rejected(inspector.inspect(
                RejectableModels.withInflatedDims(tiny).toByteArray()), ReasonCode.GRAPH_INVALID);

        assertTrue(rejected.message().contains("[1000000000, 1000000000]"), rejected.message());
        assertTrue(rejected.message().contains("stores 12800 bytes"), rejected.message());
    }

    @Test
    void multilayerPerceptronIsNotAnEncoder() {
        Inspection.Rejected rejected = rejected(inspector.inspect(
                RejectableModels.multilayerPerceptron().toByteArray()), ReasonCode.NOT_AN_ENCODER);

        assertTrue(rejected.message().contains("token-id input"), rejected.message());
        assertTrue(rejected.message().contains("Softmax"), rejected.message());
        assertTrue(rejected.message().contains("MatMul x2"), rejected.message());
        assertTrue(rejected.message().contains("Relu x1"), rejected.message());
    }

    @Test
    void convolutionalNetworkIsNotAnEncoder() {
        Inspection.Rejected rejected = rejected(inspector.inspect(
                RejectableModels.convolutionalNetwork().toByteArray()), ReasonCode.NOT_AN_ENCODER);

        assertTrue(rejected.message().contains("Conv x1"), rejected.message());
    }

    @Test
    void encoderWithoutAttentionIsNotAnEncoder() {
        ModelProto model = tiny.toBuilder().setGraph(tiny.getGraph().toBuilder().clearNode()
                .addAllNode(tiny.getGraph().getNodeList().stream()
                        .map(node -> node.getOpType().equals("Softmax") ? node.toBuilder().setOpType("Sigmoid").build() : node)
                        .toList())).build();

        Inspection.Rejected rejected = rejected(inspector.inspect(model.toByteArray()), ReasonCode.NOT_AN_ENCODER);

        assertTrue(rejected.message().contains("attention blocks"), rejected.message());
        assertFalse(rejected.message().contains("token-id input"), rejected.message());
    }

    @Test
    void deepNesting() {
        byte[] nested = RejectableModels.nestedSubgraphs(40).toByteArray();

        Inspection.Rejected rejected = rejected(inspector.inspect(nested), ReasonCode.NESTING_TOO_DEEP);

        assertTrue(rejected.message().contains("100 levels"), rejected.message());
        // A few levels are legal ONNX (If/Loop bodies) and parse; that graph is simply no encoder.
        rejected(inspector.inspect(RejectableModels.nestedSubgraphs(3).toByteArray()), ReasonCode.NOT_AN_ENCODER);
    }

    /** Whatever the bytes, an answer and never an exception, and never the inspector's own failure. */
    @Test
    void noiseOfEveryLengthGetsAReason() {
        Random random = new Random(2024);
        for (int i = 0; i < 400; i++) {
            byte[] noise = new byte[1 + random.nextInt(i < 200 ? 64 : 20_000)];
            random.nextBytes(noise);
            Inspection inspection = inspector.inspect(noise);
            Inspection.Rejected rejected = assertInstanceOf(Inspection.Rejected.class, inspection);
            assertNotEquals(ReasonCode.INSPECTION_FAILED, rejected.reason(), rejected.message());
        }
    }

    /** Random corruption of a real model: flipped bytes land in names, dims, op types and lengths. */
    @Test
    void corruptedModelsNeverBreakTheInspector() {
        byte[] original = tiny.toByteArray();
        Random random = new Random(99);
        Set<ReasonCode> seen = EnumSet.noneOf(ReasonCode.class);
        for (int i = 0; i < 600; i++) {
            byte[] corrupt = original.clone();
            int flips = 1 + random.nextInt(4);
            for (int f = 0; f < flips; f++) {
                corrupt[random.nextInt(corrupt.length)] = (byte) random.nextInt(256);
            }
            Inspection inspection = inspector.inspect(corrupt);
            if (inspection instanceof Inspection.Rejected rejected) {
                assertNotEquals(ReasonCode.INSPECTION_FAILED, rejected.reason(), rejected.message());
                assertFalse(rejected.message().isBlank());
                seen.add(rejected.reason());
            }
        }
        assertTrue(seen.size() >= 2, "corruption exercised several checks: " + seen);
    }

    @Test
    void truncationAtEveryPrefixLengthIsRejected() {
        byte[] original = TinyBertBuilder.tiny().layers(1).hidden(8).heads(2).ffn(16).vocabulary(20).maxPositions(8)
                .build().toByteArray();
        for (int length = 1; length < original.length; length += 7) {
            Inspection inspection = inspector.inspect(Arrays.copyOf(original, length));
            Inspection.Rejected rejected = assertInstanceOf(Inspection.Rejected.class, inspection, "prefix " + length);
            assertNotEquals(ReasonCode.INSPECTION_FAILED, rejected.reason(), rejected.message());
        }
    }

    @Test
    void policyRejectsNonsense() {
        assertEquals(IllegalArgumentException.class, assertThrowsAny(() -> new InspectionPolicy(0, 3, 11, 7, 23)));
        assertEquals(IllegalArgumentException.class, assertThrowsAny(() -> new InspectionPolicy(1L << 31, 3, 11, 7, 23)));
        assertEquals(IllegalArgumentException.class, assertThrowsAny(() -> new InspectionPolicy(100, 11, 3, 7, 23)));
    }

    private static Class<?> assertThrowsAny(Runnable action) {
        try {
            action.run();
        } catch (RuntimeException expected) {
            return expected.getClass();
        }
        throw new AssertionError("nothing thrown");
    }

    static Inspection.Rejected rejected(Inspection inspection, ReasonCode expected) {
        if (inspection instanceof Inspection.Accepted accepted) {
            throw new AssertionError("accepted, expected " + expected + ": " + accepted.facts());
        }
        Inspection.Rejected rejected = (Inspection.Rejected) inspection;
        assertEquals(expected, rejected.reason(), rejected.message());
        return rejected;
    }
}
