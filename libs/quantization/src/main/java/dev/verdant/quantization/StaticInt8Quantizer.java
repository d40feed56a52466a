package dev.verdant.quantization;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import dev.verdant.onnx.Tensors;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * static-int8: int8 weights (per output column, symmetric, as in dynamic-int8) and uint8 activations whose ranges
 * were calibrated on texts beforehand, so nothing is measured at run time. The graph form of each weight MatMul is the
 * request's {@link StaticInt8Form}:
 * <ul>
 *   <li>MATMUL_INTEGER_TO_FLOAT (default): {@code MatMulIntegerToFloat(QuantizeLinear(x, s_x, zp_x), W_q, s_x, w_scale,
 *       zp_x[, bias])}, ONNX Runtime's com.microsoft op, the bias Add folded in;</li>
 *   <li>QDQ: {@code MatMul(DequantizeLinear(QuantizeLinear(x)), DequantizeLinear(W_q, w_scale, 0, axis=1))} on the
 *       model raised to opset 13 ({@link OpsetUpgrade}; per-channel DequantizeLinear needs 13), or the default form
 *       with the reason in verdant.parameters when it cannot be raised;</li>
 *   <li>MATMUL_INTEGER: {@code Mul(Cast<float>(MatMulInteger(x_q, W_q, zp_x)), c)} with the constant
 *       {@code c_j = s_x x w_scale_j}, standard ops from opset 10.</li>
 * </ul>
 * One QuantizeLinear per distinct x. docs/quantization.md compares the forms' latency (the default is the fastest
 * measured). Embedding tables as in dynamic-int8.
 */
final class StaticInt8Quantizer {

    static final String VERSION = "static-int8/3";

    /** What a request gets unless it names a form: see docs/quantization.md for the latency comparison behind it. */
    static final StaticInt8Form DEFAULT_FORM = StaticInt8Form.MATMUL_INTEGER_TO_FLOAT;

    QuantizationOutcome rewrite(ModelProto model, byte[] source, QuantizationRequest request) {
        if (request.tokenizer().isEmpty()) {
            return Quantizer.failed(QuantizationOutcome.Reason.INVALID_REQUEST,
                    "static-int8 calibrates on texts run through the model: give the model's tokenizer.json");
        }
        QuantizationOptions options = request.options();
        Map<String, TensorProto> initializers = GraphRewrite.initializers(model.getGraph());
        List<String> activations = new ArrayList<>();
        for (NodeProto node : model.getGraph().getNodeList()) {
            if (GraphRewrite.isWeightMatMul(node, initializers) && !options.excludedNodes().contains(node.getName())
                    && !activations.contains(node.getInput(0))) {
                activations.add(node.getInput(0));
            }
        }
        if (activations.isEmpty()) {
            return Quantizer.failed(QuantizationOutcome.Reason.NO_QUANTIZABLE_MATMUL,
                    "no MatMul has a 2-D float initializer as its second input (outside the excluded nodes)");
        }
        Map<String, Calibrators.Uint8> parameters = new LinkedHashMap<>();
        try {
            List<String> sentences = ActivationCalibrator.sentences(request);
            Path tokenizer = request.tokenizer().orElseThrow();
            Map<String, ActivationStatistics> statistics = new ActivationCalibrator().calibrate(model, activations,
                    sentences, tokenizer, request.calibration() != CalibrationMethod.MINMAX);
            for (Map.Entry<String, ActivationStatistics> entry : statistics.entrySet()) {
                parameters.put(entry.getKey(), Calibrators.uint8(Calibrators.range(request.calibration(), entry.getValue())));
            }
        } catch (ActivationCalibrator.CalibrationException e) {
            return Quantizer.failed(e.reason, e.getMessage());
        }
        return rewrite(model, source, request, parameters);
    }

    /** The rewrite with the activation parameters known (calibrated, or given by a test). */
    QuantizationOutcome rewrite(ModelProto model, byte[] source, QuantizationRequest request,
            Map<String, Calibrators.Uint8> activationParameters) {
        StaticInt8Form used = request.staticForm();
        String fallback = "";
        if (used == StaticInt8Form.QDQ) {
            OpsetUpgrade.Result upgrade = OpsetUpgrade.toOpset13(model);
            if (upgrade.upgraded()) {
                model = upgrade.model();
            } else {
                // Per-channel QDQ needs opset 13; a model that cannot be raised keeps the fused operator form.
                used = StaticInt8Form.MATMUL_INTEGER_TO_FLOAT;
                fallback = ",qdqRefused=" + upgrade.refusal().replace(',', ';');
            }
        }
        return rewrite(model, source, request, activationParameters, used, fallback);
    }

    private QuantizationOutcome rewrite(ModelProto model, byte[] source, QuantizationRequest request,
            Map<String, Calibrators.Uint8> activationParameters, StaticInt8Form form, String fallback) {
        QuantizationOptions options = request.options();
        Map<String, TensorProto> initializers = GraphRewrite.initializers(model.getGraph());
        List<NodeProto> nodes = new ArrayList<>();
        List<TensorProto> added = new ArrayList<>();
        Map<String, String[]> quantizers = new HashMap<>();
        Map<String, String[]> tables = new HashMap<>();
        List<String> matmuls = new ArrayList<>();
        List<String> gathers = new ArrayList<>();
        List<String> excluded = new ArrayList<>();
        int qmax = options.qmax();
        Map<String, List<NodeProto>> consumers = new HashMap<>();
        for (NodeProto node : model.getGraph().getNodeList()) {
            for (String input : node.getInputList()) {
                consumers.computeIfAbsent(input, k -> new ArrayList<>()).add(node);
            }
        }
        java.util.Set<String> graphOutputs = new java.util.HashSet<>();
        model.getGraph().getOutputList().forEach(o -> graphOutputs.add(o.getName()));
        java.util.Set<NodeProto> absorbed = new java.util.HashSet<>();
        for (int index = 0; index < model.getGraph().getNodeCount(); index++) {
            NodeProto node = model.getGraph().getNode(index);
            if (absorbed.contains(node)) {
                continue;
            }
            String name = GraphRewrite.nodeName(node, index);
            boolean matmul = GraphRewrite.isWeightMatMul(node, initializers);
            boolean gather = !matmul && options.quantizeEmbeddings() && GraphRewrite.isEmbeddingGather(node, initializers);
            if (!matmul && !gather) {
                nodes.add(node);
                continue;
            }
            if (options.excludedNodes().contains(node.getName())) {
                excluded.add(node.getName());
                nodes.add(node);
                continue;
            }
            if (gather) {
                GraphRewrite.quantizeEmbedding(node, name, initializers.get(node.getInput(0)), tables, nodes, added, options);
                gathers.add(name);
                continue;
            }
            String x = node.getInput(0);
            Calibrators.Uint8 xq = activationParameters.get(x);
            if (xq == null) {
                throw new IllegalStateException("no calibrated range for " + x);
            }
            String[] q = quantizers.get(x);
            if (q == null) {
                String base = x + "_ql";
                q = new String[] {base + "/quantized", base + "/scale", base + "/zero_point"};
                added.add(Tensors.ofFloats(q[1], new long[0], new float[] {xq.scale()}));
                added.add(ModelSupport.bytes(q[2], DataType.UINT8_VALUE, new long[0], new byte[] {(byte) xq.zeroPoint()}));
                nodes.add(ModelSupport.node("QuantizeLinear", base, List.of(x, q[1], q[2]), List.of(q[0])));
                quantizers.put(x, q);
            }
            TensorProto weight = initializers.get(node.getInput(1));
            ModelSupport.requireInternal(weight);
            int rows = (int) weight.getDims(0);
            int cols = (int) weight.getDims(1);
            float[] w = Tensors.toFloats(weight);
            float[] scales = options.weightScales(w, rows, cols);
            byte[] wq = WeightQuantization.quantizeColumns(w, rows, cols, scales, qmax);
            String prefix = name + "_quant";
            added.add(ModelSupport.bytes(prefix + "/W_quantized", DataType.INT8_VALUE, new long[] {rows, cols}, wq));
            if (form == StaticInt8Form.QDQ) {
                // One DequantizeLinear per consumer (ONNX Runtime's QDQ selectors want a DQ node feeding only its
                // target node); the weight's DequantizeLinear is per output column, axis 1 of W [in, out].
                String dq = prefix + "/x_dequantized";
                nodes.add(ModelSupport.node("DequantizeLinear", prefix + "/x_DequantizeLinear", List.of(q[0], q[1], q[2]),
                        List.of(dq)));
                added.add(Tensors.ofFloats(prefix + "/W_scale", new long[] {cols}, scales));
                added.add(ModelSupport.bytes(prefix + "/W_zero_point", DataType.INT8_VALUE, new long[] {cols}, new byte[cols]));
                String wdq = prefix + "/W_dequantized";
                nodes.add(ModelSupport.node("DequantizeLinear", prefix + "/W_DequantizeLinear",
                        List.of(prefix + "/W_quantized", prefix + "/W_scale", prefix + "/W_zero_point"), List.of(wdq))
                        .toBuilder().addAttribute(ModelSupport.intAttribute("axis", 1)).build());
                nodes.add(node.toBuilder().setName(name).setInput(0, dq).setInput(1, wdq).build());
            } else if (form == StaticInt8Form.MATMUL_INTEGER_TO_FLOAT) {
                // com.microsoft:MatMulIntegerToFloat(A, B, a_scale, b_scale, a_zero_point, b_zero_point, bias): what
                // ONNX Runtime fuses dynamic-int8's MatMulInteger -> Cast -> Mul (-> bias Add) chain into. It does not
                // fuse the static chain by itself (its pattern needs the scale to come from a Mul node), so it is
                // written here directly, with the bias Add folded in when it is the MatMul's only consumer.
                added.add(Tensors.ofFloats(prefix + "/W_scale", new long[] {cols}, scales));
                NodeProto bias = GraphRewrite.biasAdd(node, consumers, initializers, graphOutputs, cols);
                List<String> inputs = new ArrayList<>(List.of(q[0], prefix + "/W_quantized", q[1], prefix + "/W_scale", q[2], ""));
                String output = node.getOutput(0);
                if (bias != null) {
                    inputs.add(bias.getInput(0).equals(node.getOutput(0)) ? bias.getInput(1) : bias.getInput(0));
                    output = bias.getOutput(0);
                    absorbed.add(bias);
                } else {
                    inputs.remove(inputs.size() - 1); // no trailing empty b_zero_point
                }
                nodes.add(ModelSupport.node("MatMulIntegerToFloat", prefix + "/MatMulIntegerToFloat", inputs, List.of(output))
                        .toBuilder().setDomain(Int4Quantizer.DOMAIN).build());
            } else {
                float[] combined = new float[cols];
                for (int j = 0; j < cols; j++) {
                    combined[j] = xq.scale() * scales[j];
                }
                added.add(Tensors.ofFloats(prefix + "/scale", new long[] {cols}, combined));
                nodes.add(ModelSupport.node("MatMulInteger", prefix + "/MatMulInteger",
                        List.of(q[0], prefix + "/W_quantized", q[2]), List.of(prefix + "/int32")));
                nodes.add(ModelSupport.cast(prefix + "/Cast", prefix + "/int32", prefix + "/float", DataType.FLOAT_VALUE));
                nodes.add(ModelSupport.node("Mul", prefix + "/OutputMul", List.of(prefix + "/float", prefix + "/scale"),
                        List.of(node.getOutput(0))));
            }
            matmuls.add(name);
        }
        if (matmuls.isEmpty()) {
            return Quantizer.failed(QuantizationOutcome.Reason.NO_QUANTIZABLE_MATMUL,
                    "no MatMul has a 2-D float initializer as its second input"
                            + (excluded.isEmpty() ? "" : " outside the excluded nodes " + excluded));
        }
        // A bias Add absorbed into an earlier MatMulIntegerToFloat was emitted before being skipped only if it came first:
        // it never does (it consumes the MatMul's output), but drop any copy to be safe.
        nodes.removeIf(absorbed::contains);
        ModelProto.Builder out = GraphRewrite.rebuild(model, nodes, added,
                form == StaticInt8Form.MATMUL_INTEGER_TO_FLOAT ? Map.of(Int4Quantizer.DOMAIN, 1L) : Map.of());
        ModelSupport.stamp(out, model, QuantizationMode.STATIC_INT8, VERSION,
                request.describe() + ",form=" + form.id() + fallback, source, excluded);
        ModelProto result = out.build();
        return new QuantizationOutcome.Quantized(result, new QuantizationOutcome.Report(matmuls, gathers, excluded,
                quantizers.size(), source.length, result.getSerializedSize()));
    }
}
