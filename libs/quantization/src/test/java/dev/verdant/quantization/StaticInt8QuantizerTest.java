package dev.verdant.quantization;

import static dev.verdant.quantization.TinyModels.quantized;
import static org.assertj.core.api.Assertions.assertThat;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnxruntime.OrtException;
import dev.verdant.onnx.OnnxGraphs;
import dev.verdant.onnx.Tensors;
import dev.verdant.onnx.testing.WordPieceTokenizerJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StaticInt8QuantizerTest {

    @TempDir
    Path dir;

    private Path tokenizer() throws IOException {
        return Files.writeString(dir.resolve("tokenizer.json"), WordPieceTokenizerJson.of(200, sentences()));
    }

    private static List<String> sentences() {
        return List.of("a man is playing a guitar", "the cat sits on the mat", "two dogs run in the park",
                "a woman slices an onion", "the plane is taking off", "children play football outside",
                "a bird sings in the tree", "the sun sets over the sea");
    }

    @Test
    void tinyBertCalibratesQuantizesAndRunsInOnnxRuntime() throws IOException, OrtException {
        byte[] fp32 = TinyModels.tiny().toBytes();
        for (CalibrationMethod method : CalibrationMethod.values()) {
            QuantizationRequest request = QuantizationRequest.of(QuantizationMode.STATIC_INT8).withTokenizer(tokenizer())
                    .withCalibration(method).withCalibrationSentences(sentences());
            QuantizationOutcome.Quantized quantized = quantized(new Quantizer().quantize(fp32, request));

            Map<String, Long> ops = quantized.model().getGraph().getNodeList().stream()
                    .collect(Collectors.groupingBy(NodeProto::getOpType, Collectors.counting()));
            assertThat(ops.get("MatMulInteger")).isEqualTo(12L);
            assertThat(ops.get("QuantizeLinear")).isEqualTo(8L); // Q, K and V share one: 4 a layer
            assertThat(ops).doesNotContainKey("DynamicQuantizeLinear");
            assertThat(quantized.report().activationQuantizers()).isEqualTo(8);
            assertThat(quantized.metadata()).containsEntry("verdant.mode", "static-int8");
            assertThat(quantized.metadata().get("verdant.parameters")).contains("calibration=" + method.id());

            long[][] ids = TinyModels.ids(3, 9, 5);
            long[][] mask = TinyModels.ones(3, 9);
            double cosine = TinyModels.meanCosine(TinyModels.run(fp32, ids, mask),
                    TinyModels.run(OnnxGraphs.toBytes(quantized.model()), ids, mask));
            assertThat(cosine).as(method.id()).isGreaterThan(0.98);
        }
    }

    @Test
    void minMaxScalesAreTheObservedRanges() throws Exception {
        ModelProto model = ModelProto.parseFrom(TinyModels.tiny().toBytes());
        String firstQkvInput = model.getGraph().getNodeList().stream()
                .filter(n -> GraphRewrite.isWeightMatMul(n, GraphRewrite.initializers(model.getGraph())))
                .findFirst().orElseThrow().getInput(0);
        Map<String, ActivationStatistics> statistics = new ActivationCalibrator().calibrate(model, List.of(firstQkvInput),
                sentences(), tokenizer(), false);
        ActivationStatistics seen = statistics.get(firstQkvInput);
        assertThat(seen.seen()).isPositive();
        Calibrators.Uint8 expected = Calibrators.uint8(Calibrators.minMax(seen));

        QuantizationOutcome.Quantized quantized = quantized(new Quantizer().quantize(OnnxGraphs.toBytes(model),
                QuantizationRequest.of(QuantizationMode.STATIC_INT8).withTokenizer(tokenizer()).withCalibrationSentences(sentences())));
        Map<String, TensorProto> tensors = quantized.model().getGraph().getInitializerList().stream()
                .collect(Collectors.toMap(TensorProto::getName, t -> t));
        assertThat(Tensors.toFloats(tensors.get(firstQkvInput + "_ql/scale"))[0]).isEqualTo(expected.scale());
        assertThat(tensors.get(firstQkvInput + "_ql/zero_point").getRawData().byteAt(0) & 0xFF).isEqualTo(expected.zeroPoint());
        // The MatMulInteger output scale is s_x x the weight's per-column scale (one per output column).
        NodeProto qkv = quantized.model().getGraph().getNodeList().stream()
                .filter(n -> n.getOpType().equals("MatMulInteger")).findFirst().orElseThrow();
        String prefix = qkv.getName().replace("/MatMulInteger", "");
        float[] combined = Tensors.toFloats(tensors.get(prefix + "/scale"));
        TensorProto wq = tensors.get(prefix + "/W_quantized");
        assertThat(combined).hasSize((int) wq.getDims(1));
    }

    @Test
    void withoutATokenizerItIsAClearFailure() {
        QuantizationOutcome outcome = new Quantizer().quantize(TinyModels.tiny().toBytes(),
                QuantizationRequest.of(QuantizationMode.STATIC_INT8));
        assertThat(outcome).isInstanceOfSatisfying(QuantizationOutcome.Failed.class, failed -> {
            assertThat(failed.reason()).isEqualTo(QuantizationOutcome.Reason.INVALID_REQUEST);
            assertThat(failed.message()).contains("tokenizer.json");
        });
    }
}
