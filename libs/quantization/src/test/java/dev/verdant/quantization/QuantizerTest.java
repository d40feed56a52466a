package dev.verdant.quantization;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.verdant.onnx.OnnxGraphs;
import dev.verdant.onnx.testing.WordPieceTokenizerJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The entry point: every mode's output loads in ONNX Runtime; bad models are clear failures in every mode. */
class QuantizerTest {

    @TempDir
    Path dir;

    private QuantizationRequest request(QuantizationMode mode) throws IOException {
        Path tokenizer = dir.resolve("tokenizer.json");
        if (!Files.exists(tokenizer)) {
            Files.writeString(tokenizer, WordPieceTokenizerJson.of(200, List.of("a man plays", "the cat sits")));
        }
        return QuantizationRequest.of(mode).withTokenizer(tokenizer).withCalibrationSentences(List.of("a man plays", "the cat sits"));
    }

    @Test
    void everyModeWritesAModelOnnxRuntimeLoadsWithItsMetadata() throws IOException, OrtException {
        byte[] fp32 = TinyModels.tiny().toBytes();
        Path source = Files.write(dir.resolve("tiny.onnx"), fp32);
        for (String mode : Quantizer.MODES) {
            QuantizationOutcome outcome = new Quantizer().quantize(source, request(QuantizationMode.of(mode)));
            Path out = dir.resolve("out/" + mode + ".onnx");
            Quantizer.write(outcome, out);
            QuantizationOutcome.Quantized quantized = (QuantizationOutcome.Quantized) outcome;
            assertThat(quantized.metadata()).containsEntry("verdant.mode", mode)
                    .containsEntry("verdant.source-sha256", ModelSupport.sha256(fp32))
                    .containsEntry("verdant.version", Quantizer.verdantVersion())
                    .containsKeys("verdant.parameters", "verdant.quantizer", "verdant.excluded-nodes");
            assertThat(Quantizer.verdantVersion()).isNotEqualTo("unknown");
            try (OrtSession session = TinyModels.ENVIRONMENT.createSession(out.toString(), new OrtSession.SessionOptions())) {
                assertThat(session.getMetadata().getCustomMetadata()).containsEntry("verdant.mode", mode);
            }
            long[][] ids = TinyModels.ids(2, 6, 9);
            assertThat(TinyModels.run(Files.readAllBytes(out), ids, TinyModels.ones(2, 6))[1][5]).hasSize(64);
        }
    }

    @Test
    void excludedNodesAreRecordedInEveryMode() throws IOException {
        ModelProto fp32 = TinyModels.tiny().build();
        String first = fp32.getGraph().getNodeList().stream().filter(n -> n.getOpType().equals("MatMul"))
                .filter(n -> fp32.getGraph().getInitializerList().stream().anyMatch(t -> t.getName().equals(n.getInput(1))))
                .findFirst().orElseThrow().getName();
        for (String mode : Quantizer.MODES) {
            QuantizationRequest request = request(QuantizationMode.of(mode));
            request = request.withOptions(request.options().withExcludedNodes(java.util.Set.of(first)));
            QuantizationOutcome.Quantized quantized = TinyModels.quantized(new Quantizer().quantize(OnnxGraphs.toBytes(fp32), request));
            assertThat(quantized.report().excludedNodes()).as(mode).containsExactly(first);
            assertThat(quantized.metadata()).as(mode).containsEntry("verdant.excluded-nodes", first);
            assertThat(quantized.model().getGraph().getNodeList()).as(mode)
                    .anyMatch(n -> n.getName().equals(first) && n.getOpType().equals("MatMul"));
        }
    }

    @Test
    void badModelsAreClearFailuresInEveryMode() throws IOException {
        ModelProto noWeights = TinyModels.model(GraphProto.newBuilder()
                .addInput(TinyModels.input("x", 1, 2)).addInput(TinyModels.input("w", 2, 2))
                .addNode(NodeProto.newBuilder().setOpType("MatMul").setName("mm").addInput("x").addInput("w").addOutput("y"))
                .addOutput(TinyModels.input("y", 1, 2)).build());
        ModelProto custom = TinyModels.model(GraphProto.newBuilder()
                .addInput(TinyModels.input("x", 1, 2))
                .addNode(NodeProto.newBuilder().setOpType("FancyNorm").setDomain("com.example").setName("fancy")
                        .addInput("x").addOutput("y"))
                .addOutput(TinyModels.input("y", 1, 2)).build());
        for (String mode : Quantizer.MODES) {
            QuantizationRequest request = request(QuantizationMode.of(mode));
            assertFailure(new Quantizer().quantize(OnnxGraphs.toBytes(noWeights), request),
                    QuantizationOutcome.Reason.NO_QUANTIZABLE_MATMUL, "no MatMul has a 2-D float initializer");
            assertFailure(new Quantizer().quantize(OnnxGraphs.toBytes(custom), request),
                    QuantizationOutcome.Reason.UNSUPPORTED_OP, "com.example:FancyNorm");
            assertFailure(new Quantizer().quantize("definitely not protobuf".getBytes(), request),
                    QuantizationOutcome.Reason.CORRUPT_INPUT, "not an ONNX model");
            assertFailure(new Quantizer().quantize(new byte[0], request),
                    QuantizationOutcome.Reason.CORRUPT_INPUT, "no graph");
        }
        QuantizationOutcome failed = new Quantizer().quantize(new byte[0], request(QuantizationMode.FP16));
        assertThatThrownBy(() -> Quantizer.write(failed, dir.resolve("x.onnx")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("CORRUPT_INPUT");
    }

    private static void assertFailure(QuantizationOutcome outcome, QuantizationOutcome.Reason reason, String text) {
        assertThat(outcome).isInstanceOfSatisfying(QuantizationOutcome.Failed.class, failed -> {
            assertThat(failed.reason()).isEqualTo(reason);
            assertThat(failed.message()).contains(text);
        });
    }

    @Test
    void recipeParamsDriveTheQuantizer() {
        QuantizationOutcome.Quantized quantized = TinyModels.quantized(new Quantizer().quantize(TinyModels.tiny().toBytes(),
                QuantizationRequest.fromRecipeParams(Map.of("mode", "int4", "blockSize", 64), null)));
        assertThat(quantized.metadata().get("verdant.parameters")).contains("blockSize=64");
    }
}
