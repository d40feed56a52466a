package dev.verdant.quantization;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.verdant.onnx.Tensors;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * SmoothQuant's per-channel migration of activation range into the weights (Xiao et al., 2023), for the activations
 * that int8 MatMuls quantize per tensor. For an activation x [.., K] read by weight MatMuls W [K, N] (several, e.g. Q,
 * K and V), with calibrated {@code a_k = max|x_k|} and {@code w_k = max over the MatMuls and columns of |W_kn|}:
 * <pre>
 *   s_k = a_k^alpha / w_k^(1 - alpha)          (1 where a_k or w_k is 0)
 *   x'  = Mul(x, 1 / s)                         (one Mul per activation, inserted before its first reader)
 *   W'  = diag(s) W                             (x' W' = x W exactly, in real arithmetic)
 * </pre>
 * A few channels of a transformer's LayerNorm outputs are far larger than the rest; one uint8 scale per tensor spends
 * its levels on them. Dividing them down (and scaling the matching weight rows up, where 8-bit per-column weights have
 * room) evens out the channels before the per-tensor rounding. Only the MatMuls' copy of x is scaled: other readers
 * (the residual Add) still read x.
 */
final class Smoothing {

    /** Fused layer normalizations whose first output is the normalized tensor. */
    private static final java.util.Set<String> FUSED_NORMS = java.util.Set.of("LayerNormalization",
            "SkipLayerNormalization", "SimplifiedLayerNormalization", "SkipSimplifiedLayerNormalization");

    static final String MUL_SUFFIX = "_smoothing/Mul";
    static final String INVERSE_SUFFIX = "_smoothing/inverse_scale";

    private Smoothing() {
    }

    /**
     * The model to quantize, and what smoothing did, for verdant.parameters: {@code smoothed=N} (N activations), or
     * {@code smoothed=0(reason)}.
     */
    record Prepared(ModelProto model, String note) {
    }

    /**
     * Smooths the layer-norm outputs that weight MatMuls read (SmoothQuant applies it where the activation comes out
     * of a LayerNorm: those are the tensors with outlier channels; see docs/quantization.md), after measuring their
     * channels on the request's calibration texts. Off when the request's alpha is 0 or there is no tokenizer to
     * run texts with.
     */
    static Prepared prepare(ModelProto model, QuantizationRequest request) throws ActivationCalibrator.CalibrationException {
        if (request.smoothing() == 0) {
            return new Prepared(model, "");
        }
        if (request.tokenizer().isEmpty()) {
            return new Prepared(model, ",smoothed=0(no tokenizer to calibrate with)");
        }
        List<String> activations = layerNormInputsOfMatMuls(model, request.options().excludedNodes());
        if (activations.isEmpty()) {
            return new Prepared(model, ",smoothed=0(no layer-norm output feeds a weight MatMul)");
        }
        List<String> sentences = ActivationCalibrator.sentences(request);
        Map<String, float[]> channels = new LinkedHashMap<>();
        new ActivationCalibrator().calibrate(model, activations, sentences, request.tokenizer().get(), false)
                .forEach((tensor, statistics) -> channels.put(tensor, statistics.channelAbsMax()));
        ModelProto smoothed = apply(model, channels, request.smoothing());
        long count = smoothed.getGraph().getNodeList().stream().filter(n -> n.getName().endsWith(MUL_SUFFIX)).count();
        return new Prepared(smoothed, ",smoothed=" + count);
    }

    /**
     * Layer-norm outputs read by at least one weight MatMul, none of whose weight-MatMul readers is excluded: a fused
     * normalization op, or the decomposed chain {@code Add(Mul(Div(Sub(x, ReduceMean(x)), ..), gamma), beta)} (beta
     * optional) as torch exported it before opset 17.
     */
    static List<String> layerNormInputsOfMatMuls(ModelProto model, java.util.Set<String> excluded) {
        GraphProto graph = model.getGraph();
        Map<String, TensorProto> initializers = GraphRewrite.initializers(graph);
        Map<String, NodeProto> producers = GraphRewrite.producers(graph);
        Map<String, Boolean> candidates = new LinkedHashMap<>();
        for (NodeProto node : graph.getNodeList()) {
            if (GraphRewrite.isWeightMatMul(node, initializers)) {
                String x = node.getInput(0);
                boolean ok = !excluded.contains(node.getName()) && candidates.getOrDefault(x, true);
                candidates.put(x, ok);
            }
        }
        List<String> found = new ArrayList<>();
        candidates.forEach((x, ok) -> {
            if (ok && isLayerNormOutput(x, producers, initializers)) {
                found.add(x);
            }
        });
        return found;
    }

    static boolean isLayerNormOutput(String tensor, Map<String, NodeProto> producers, Map<String, TensorProto> initializers) {
        NodeProto node = producers.get(tensor);
        if (node == null) {
            return false;
        }
        if (FUSED_NORMS.contains(node.getOpType())) {
            return node.getOutput(0).equals(tensor);
        }
        if (node.getOpType().equals("Add")) {
            String other = constantOperand(node, initializers);
            if (other == null) {
                return false;
            }
            node = producers.get(other);
            if (node == null) {
                return false;
            }
        }
        if (!node.getOpType().equals("Mul")) {
            return false;
        }
        String normalized = constantOperand(node, initializers);
        NodeProto div = normalized == null ? null : producers.get(normalized);
        if (div == null || !div.getOpType().equals("Div") || div.getInputCount() != 2) {
            return false;
        }
        NodeProto sub = producers.get(div.getInput(0));
        if (sub == null || !sub.getOpType().equals("Sub") || sub.getInputCount() != 2) {
            return false;
        }
        NodeProto mean = producers.get(sub.getInput(1));
        return mean != null && mean.getOpType().equals("ReduceMean") && mean.getInputCount() > 0
                && mean.getInput(0).equals(sub.getInput(0));
    }

    /** For a binary node with exactly one initializer input: the other input; else null. */
    private static String constantOperand(NodeProto node, Map<String, TensorProto> initializers) {
        if (node.getInputCount() != 2) {
            return null;
        }
        boolean first = initializers.containsKey(node.getInput(0));
        boolean second = initializers.containsKey(node.getInput(1));
        if (first == second) {
            return null;
        }
        return first ? node.getInput(1) : node.getInput(0);
    }

    /**
     * The model with the activations in {@code channelAbsMax} smoothed; activations without a weight-MatMul reader or
     * whose channel count does not match the weights' rows are left alone.
     */
    static ModelProto apply(ModelProto model, Map<String, float[]> channelAbsMax, double alpha) {
        GraphProto graph = model.getGraph();
        Map<String, TensorProto> initializers = GraphRewrite.initializers(graph);
        Map<String, List<NodeProto>> readers = new LinkedHashMap<>();
        for (NodeProto node : graph.getNodeList()) {
            if (GraphRewrite.isWeightMatMul(node, initializers) && channelAbsMax.containsKey(node.getInput(0))) {
                readers.computeIfAbsent(node.getInput(0), k -> new ArrayList<>()).add(node);
            }
        }
        Map<String, Integer> weightReaders = new HashMap<>();
        for (NodeProto node : graph.getNodeList()) {
            for (String input : node.getInputList()) {
                if (initializers.containsKey(input)) {
                    weightReaders.merge(input, 1, Integer::sum);
                }
            }
        }
        Map<String, float[]> factors = new HashMap<>();
        Map<String, TensorProto> scaledWeights = new HashMap<>();
        for (Map.Entry<String, List<NodeProto>> entry : readers.entrySet()) {
            float[] activation = channelAbsMax.get(entry.getKey());
            int k = activation.length;
            float[] weightMax = new float[k];
            boolean shapes = true;
            for (NodeProto reader : entry.getValue()) {
                TensorProto weight = initializers.get(reader.getInput(1));
                long readersHere = entry.getValue().stream().filter(r -> r.getInput(1).equals(weight.getName())).count();
                if (weight.getDims(0) != k || scaledWeights.containsKey(weight.getName())
                        || weightReaders.get(weight.getName()) != readersHere) {
                    shapes = false; // a weight another node also reads cannot be rescaled for this activation alone
                    break;
                }
                float[] w = Tensors.toFloats(weight);
                int cols = (int) weight.getDims(1);
                for (int row = 0; row < k; row++) {
                    for (int col = 0; col < cols; col++) {
                        weightMax[row] = Math.max(weightMax[row], Math.abs(w[row * cols + col]));
                    }
                }
            }
            if (!shapes) {
                continue;
            }
            float[] s = factors(activation, weightMax, alpha);
            factors.put(entry.getKey(), s);
            for (NodeProto reader : entry.getValue()) {
                TensorProto weight = initializers.get(reader.getInput(1));
                float[] w = Tensors.toFloats(weight);
                int cols = (int) weight.getDims(1);
                for (int row = 0; row < k; row++) {
                    for (int col = 0; col < cols; col++) {
                        w[row * cols + col] *= s[row];
                    }
                }
                scaledWeights.put(weight.getName(), Tensors.ofFloats(weight.getName(), Tensors.dims(weight), w));
            }
        }
        List<NodeProto> nodes = new ArrayList<>();
        List<TensorProto> added = new ArrayList<>();
        Map<String, String> smoothed = new HashMap<>();
        for (NodeProto node : graph.getNodeList()) {
            String x = node.getInputCount() > 0 ? node.getInput(0) : "";
            if (factors.containsKey(x) && GraphRewrite.isWeightMatMul(node, initializers)) {
                String scaled = smoothed.get(x);
                if (scaled == null) {
                    scaled = x + "_smoothed";
                    float[] s = factors.get(x);
                    float[] inverse = new float[s.length];
                    for (int i = 0; i < s.length; i++) {
                        inverse[i] = 1f / s[i];
                    }
                    added.add(Tensors.ofFloats(x + INVERSE_SUFFIX, new long[] {s.length}, inverse));
                    nodes.add(ModelSupport.node("Mul", x + MUL_SUFFIX, List.of(x, x + INVERSE_SUFFIX), List.of(scaled)));
                    smoothed.put(x, scaled);
                }
                nodes.add(node.toBuilder().setInput(0, scaled).build());
            } else {
                nodes.add(node);
            }
        }
        GraphProto.Builder rewritten = graph.toBuilder().clearNode().addAllNode(nodes);
        for (int i = 0; i < rewritten.getInitializerCount(); i++) {
            TensorProto replacement = scaledWeights.get(rewritten.getInitializer(i).getName());
            if (replacement != null) {
                rewritten.setInitializer(i, replacement);
            }
        }
        rewritten.addAllInitializer(added);
        return model.toBuilder().setGraph(rewritten).build();
    }

    /** s_k = a_k^alpha / w_k^(1 - alpha), 1 where either is 0. */
    static float[] factors(float[] activationMax, float[] weightMax, double alpha) {
        float[] s = new float[activationMax.length];
        for (int k = 0; k < s.length; k++) {
            double a = activationMax[k];
            double w = weightMax[k];
            s[k] = a <= 0 || w <= 0 ? 1f : (float) (Math.pow(a, alpha) / Math.pow(w, 1 - alpha));
        }
        return s;
    }
}
