package dev.verdant.quantization;

import static dev.verdant.quantization.TinyModels.quantized;
import static org.assertj.core.api.Assertions.assertThat;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
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
            assertThat(ops.get("MatMulIntegerToFloat")).isEqualTo(12L);
            assertThat(ops.get("Add")).isLessThan(fp32Adds()); // the 12 bias Adds are folded into the fused op
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

        // Without smoothing: the activation quantized is then the calibrated tensor itself (SmoothingTest covers the rest).
        QuantizationOutcome.Quantized quantized = quantized(new Quantizer().quantize(OnnxGraphs.toBytes(model),
                QuantizationRequest.of(QuantizationMode.STATIC_INT8).withTokenizer(tokenizer()).withCalibrationSentences(sentences())
                        .withSmoothing(0)));
        Map<String, TensorProto> tensors = quantized.model().getGraph().getInitializerList().stream()
                .collect(Collectors.toMap(TensorProto::getName, t -> t));
        assertThat(Tensors.toFloats(tensors.get(firstQkvInput + "_ql/scale"))[0]).isEqualTo(expected.scale());
        assertThat(tensors.get(firstQkvInput + "_ql/zero_point").getRawData().byteAt(0) & 0xFF).isEqualTo(expected.zeroPoint());
        // The fused op reads x's scale and zero point and one weight scale per output column (axis 1 of W [in, out]).
        NodeProto qkv = quantized.model().getGraph().getNodeList().stream()
                .filter(n -> n.getOpType().equals("MatMulIntegerToFloat")).findFirst().orElseThrow();
        assertThat(qkv.getInput(2)).isEqualTo(firstQkvInput + "_ql/scale");
        assertThat(qkv.getInput(4)).isEqualTo(firstQkvInput + "_ql/zero_point");
        float[] weightScales = Tensors.toFloats(tensors.get(qkv.getInput(3)));
        TensorProto wq = tensors.get(qkv.getInput(1));
        assertThat(weightScales).hasSize((int) wq.getDims(1));
        assertThat(qkv.getInputCount()).isEqualTo(7); // with the bias
    }

    private static long fp32Adds() {
        return TinyModels.tiny().build().getGraph().getNodeList().stream().filter(n -> n.getOpType().equals("Add")).count();
    }

    @Test
    void standardOpFormRunsToo() throws Exception {
        byte[] fp32 = TinyModels.tiny().toBytes();
        ModelProto model = ModelProto.parseFrom(fp32);
        List<String> activations = model.getGraph().getNodeList().stream()
                .filter(n -> GraphRewrite.isWeightMatMul(n, GraphRewrite.initializers(model.getGraph())))
                .map(n -> n.getInput(0)).distinct().toList();
        Map<String, ActivationStatistics> statistics = new ActivationCalibrator().calibrate(model, activations, sentences(),
                tokenizer(), false);
        Map<String, Calibrators.Uint8> parameters = new java.util.HashMap<>();
        statistics.forEach((k, v) -> parameters.put(k, Calibrators.uint8(Calibrators.minMax(v))));
        QuantizationOutcome.Quantized standard = quantized(new StaticInt8Quantizer().rewrite(model, fp32,
                QuantizationRequest.of(QuantizationMode.STATIC_INT8).withStaticForm(StaticInt8Form.MATMUL_INTEGER), parameters));
        assertThat(standard.model().getGraph().getNodeList().stream().filter(n -> n.getOpType().equals("MatMulInteger"))).hasSize(12);
        // It folds s_x x w_scale_j into one constant per output column.
        NodeProto first = standard.model().getGraph().getNodeList().stream()
                .filter(n -> n.getOpType().equals("MatMulInteger")).findFirst().orElseThrow();
        String prefix = first.getName().replace("/MatMulInteger", "");
        Map<String, TensorProto> tensors = standard.model().getGraph().getInitializerList().stream()
                .collect(Collectors.toMap(TensorProto::getName, t -> t));
        TensorProto weight = model.getGraph().getInitializerList().stream()
                .filter(t -> t.getName().equals(model.getGraph().getNodeList().stream()
                        .filter(n -> GraphRewrite.isWeightMatMul(n, GraphRewrite.initializers(model.getGraph())))
                        .findFirst().orElseThrow().getInput(1))).findFirst().orElseThrow();
        int rows = (int) weight.getDims(0);
        int cols = (int) weight.getDims(1);
        float[] weightScales = QuantizationOptions.defaults().weightScales(Tensors.toFloats(weight), rows, cols);
        float[] combined = Tensors.toFloats(tensors.get(prefix + "/scale"));
        float sx = parameters.get(activations.get(0)).scale();
        for (int j = 0; j < cols; j++) {
            assertThat(combined[j]).isEqualTo(sx * weightScales[j]);
        }
        long[][] ids = TinyModels.ids(3, 9, 5);
        long[][] mask = TinyModels.ones(3, 9);
        assertThat(TinyModels.meanCosine(TinyModels.run(fp32, ids, mask),
                TinyModels.run(OnnxGraphs.toBytes(standard.model()), ids, mask))).isGreaterThan(0.98);
    }

    private Map<String, Calibrators.Uint8> calibrated(ModelProto model) throws Exception {
        List<String> activations = model.getGraph().getNodeList().stream()
                .filter(n -> GraphRewrite.isWeightMatMul(n, GraphRewrite.initializers(model.getGraph())))
                .map(n -> n.getInput(0)).distinct().toList();
        Map<String, Calibrators.Uint8> parameters = new java.util.HashMap<>();
        new ActivationCalibrator().calibrate(model, activations, sentences(), tokenizer(), false)
                .forEach((k, v) -> parameters.put(k, Calibrators.uint8(Calibrators.minMax(v))));
        return parameters;
    }

    @Test
    void qdqFormIsOpset13WithPerColumnWeightDequantizersAndOnnxRuntimeFusesIt() throws Exception {
        byte[] fp32 = TinyModels.tiny().toBytes();
        ModelProto model = ModelProto.parseFrom(fp32);
        Map<String, Calibrators.Uint8> parameters = calibrated(model);
        QuantizationRequest request = QuantizationRequest.of(QuantizationMode.STATIC_INT8);
        QuantizationOutcome.Quantized qdq = quantized(new StaticInt8Quantizer().rewrite(model, fp32, request.withStaticForm(StaticInt8Form.QDQ), parameters));
        QuantizationOutcome.Quantized fused = quantized(new StaticInt8Quantizer().rewrite(model, fp32, request.withStaticForm(StaticInt8Form.MATMUL_INTEGER_TO_FLOAT), parameters));

        ModelProto graph = qdq.model();
        assertThat(ModelSupport.defaultOpset(graph)).isEqualTo(13);
        assertThat(qdq.metadata().get("verdant.parameters")).contains("form=qdq").doesNotContain("qdqRefused");
        Map<String, Long> ops = graph.getGraph().getNodeList().stream()
                .collect(Collectors.groupingBy(NodeProto::getOpType, Collectors.counting()));
        assertThat(ops.get("QuantizeLinear")).isEqualTo(8L); // one per distinct activation, as before
        assertThat(ops.get("MatMul")).isEqualTo(16L);       // 12 weight MatMuls, now over dequantized inputs, + 4 attention
        assertThat(ops).doesNotContainKeys("MatMulIntegerToFloat", "MatMulInteger");
        Map<String, TensorProto> tensors = graph.getGraph().getInitializerList().stream()
                .collect(Collectors.toMap(TensorProto::getName, t -> t));
        Map<String, NodeProto> producers = new java.util.HashMap<>();
        graph.getGraph().getNodeList().forEach(n -> n.getOutputList().forEach(o -> producers.put(o, n)));
        Map<String, Integer> readers = new java.util.HashMap<>();
        graph.getGraph().getNodeList().forEach(n -> n.getInputList().forEach(i -> readers.merge(i, 1, Integer::sum)));
        long weightMatMuls = 0;
        for (NodeProto matmul : graph.getGraph().getNodeList()) {
            NodeProto weightDq = matmul.getOpType().equals("MatMul") ? producers.get(matmul.getInput(1)) : null;
            if (weightDq == null || !weightDq.getOpType().equals("DequantizeLinear")) {
                continue;
            }
            weightMatMuls++;
            NodeProto xDq = producers.get(matmul.getInput(0));
            assertThat(xDq.getOpType()).isEqualTo("DequantizeLinear");
            assertThat(producers.get(xDq.getInput(0)).getOpType()).isEqualTo("QuantizeLinear");
            assertThat(readers.get(xDq.getOutput(0))).as("one DQ per consumer").isEqualTo(1);
            // W: int8 [in, out], one scale and one zero point (0) per output column, axis 1.
            TensorProto wq = tensors.get(weightDq.getInput(0));
            TensorProto scale = tensors.get(weightDq.getInput(1));
            TensorProto zeroPoint = tensors.get(weightDq.getInput(2));
            assertThat(wq.getDataType()).isEqualTo(DataType.INT8_VALUE);
            assertThat(scale.getDimsList()).containsExactly(wq.getDims(1));
            assertThat(zeroPoint.getDataType()).isEqualTo(DataType.INT8_VALUE);
            assertThat(zeroPoint.getRawData().toByteArray()).hasSize((int) wq.getDims(1)).containsOnly(0);
            assertThat(weightDq.getAttributeList()).anyMatch(a -> a.getName().equals("axis") && a.getI() == 1);
        }
        assertThat(weightMatMuls).isEqualTo(12);

        // Same integer arithmetic as the operator form, so the same outputs up to float summation order.
        long[][] ids = TinyModels.ids(3, 9, 5);
        long[][] mask = TinyModels.ones(3, 9);
        float[][][] a = TinyModels.run(OnnxGraphs.toBytes(graph), ids, mask);
        float[][][] b = TinyModels.run(OnnxGraphs.toBytes(fused.model()), ids, mask);
        for (int i = 0; i < a.length; i++) {
            for (int t = 0; t < a[i].length; t++) {
                assertThat(TinyModels.cosine(a[i][t], b[i][t])).isGreaterThan(0.9999);
            }
        }
        assertThat(TinyModels.meanCosine(TinyModels.run(fp32, ids, mask), a)).isGreaterThan(0.98);

        // What ONNX Runtime runs after its graph optimisations: every QDQ group became MatMulIntegerToFloat.
        Path optimized = dir.resolve("optimized.onnx");
        try (ai.onnxruntime.OrtSession.SessionOptions options = new ai.onnxruntime.OrtSession.SessionOptions()) {
            options.setOptimizedModelFilePath(optimized.toString());
            options.setOptimizationLevel(ai.onnxruntime.OrtSession.SessionOptions.OptLevel.ALL_OPT);
            TinyModels.ENVIRONMENT.createSession(OnnxGraphs.toBytes(graph), options).close();
        }
        Map<String, Long> runtimeOps = ModelProto.parseFrom(Files.readAllBytes(optimized)).getGraph().getNodeList().stream()
                .collect(Collectors.groupingBy(NodeProto::getOpType, Collectors.counting()));
        assertThat(runtimeOps.get("MatMulIntegerToFloat")).as("ops after optimisation: %s", runtimeOps).isEqualTo(12L);
    }

    @Test
    void qdqOnAModelThatCannotReachOpset13KeepsTheOperatorFormAndSaysWhy() throws Exception {
        byte[] fp32 = TinyModels.tiny().toBytes();
        ModelProto model = ModelProto.parseFrom(fp32);
        Map<String, Calibrators.Uint8> parameters = calibrated(model);
        // An op the upgrade does not convert, on a side branch that reads a graph input.
        ModelProto odd = model.toBuilder().setGraph(model.getGraph().toBuilder()
                .addNode(NodeProto.newBuilder().setOpType("Resize").setName("odd-resize").addInput("attention_mask")
                        .addOutput("unused"))).build();
        QuantizationOutcome.Quantized quantized = quantized(new StaticInt8Quantizer().rewrite(odd, fp32, QuantizationRequest.of(QuantizationMode.STATIC_INT8).withStaticForm(StaticInt8Form.QDQ), parameters));
        assertThat(ModelSupport.defaultOpset(quantized.model())).isEqualTo(11);
        assertThat(quantized.metadata().get("verdant.parameters")).contains("form=matmulintegertofloat")
                .contains("qdqRefused=").contains("odd-resize");
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
