package dev.verdant.quantization;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.verdant.onnx.Tensors;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes each residual {@code Add(a, b)} followed by a decomposed layer normalization as one ONNX Runtime
 * {@code com.microsoft:SkipLayerNormalization(a, b, gamma, beta)}: what ONNX Runtime's transformer optimizer does for
 * BERT, and what its load-time fusions do not do on these graphs (they fuse the decomposed chain into
 * LayerNormalization but leave the Add beside it).
 *
 * <p>The chain, as torch exports LayerNorm before opset 17: {@code m = ReduceMean(x); d = Sub(x, m);
 * v = ReduceMean(Pow(d, 2)); y = Add(Mul(Div(d, Sqrt(Add(v, eps))), gamma), beta)}, with x = Add(a, b) read by
 * nothing else, both reductions over the last axis, gamma and beta 1-D initializers. Anything else is left alone.
 */
final class SkipLayerNormFusion {

    record Result(ModelProto model, int fused) {
    }

    private SkipLayerNormFusion() {
    }

    static Result apply(ModelProto model) {
        GraphProto graph = model.getGraph();
        Map<String, TensorProto> initializers = GraphRewrite.initializers(graph);
        Map<String, TensorProto> constants = GraphRewrite.constants(graph);
        Map<String, NodeProto> producers = GraphRewrite.producers(graph);
        Map<String, List<NodeProto>> consumers = GraphRewrite.consumers(graph);
        Set<String> graphOutputs = new HashSet<>();
        graph.getOutputList().forEach(output -> graphOutputs.add(output.getName()));

        Set<NodeProto> removed = new HashSet<>();
        Map<NodeProto, NodeProto> replacements = new HashMap<>();
        for (NodeProto sub : graph.getNodeList()) {
            Match match = match(sub, producers, consumers, initializers, constants, graphOutputs);
            if (match == null) {
                continue;
            }
            NodeProto fused = ModelSupport.node("SkipLayerNormalization", match.add.getName() + "_SkipLayerNorm",
                    List.of(match.add.getInput(0), match.add.getInput(1), match.gamma, match.beta),
                    List.of(match.output)).toBuilder().setDomain(Int4Quantizer.DOMAIN)
                    .addAttribute(AttributeProto.newBuilder().setName("epsilon").setType(AttributeProto.AttributeType.FLOAT)
                            .setF(match.epsilon))
                    .build();
            removed.addAll(match.nodes);
            replacements.put(match.last, fused);
            for (String scalar : List.of(match.exponent, match.epsilonName)) {
                NodeProto constant = producers.get(scalar);
                if (constant != null && constant.getOpType().equals("Constant") && consumers.get(scalar).size() == 1) {
                    removed.add(constant);
                }
            }
        }
        if (replacements.isEmpty()) {
            return new Result(model, 0);
        }
        List<NodeProto> nodes = new ArrayList<>();
        for (NodeProto node : graph.getNodeList()) {
            if (replacements.containsKey(node)) {
                nodes.add(replacements.get(node));
            } else if (!removed.contains(node)) {
                nodes.add(node);
            }
        }
        return new Result(GraphRewrite.rebuild(model, nodes, List.of(), Map.of(Int4Quantizer.DOMAIN, 1L)).build(),
                replacements.size());
    }

    private record Match(NodeProto add, List<NodeProto> nodes, NodeProto last, String gamma, String beta, float epsilon,
            String output, String exponent, String epsilonName) {
    }

    private static Match match(NodeProto sub, Map<String, NodeProto> producers, Map<String, List<NodeProto>> consumers,
            Map<String, TensorProto> initializers, Map<String, TensorProto> constants, Set<String> graphOutputs) {
        if (!sub.getOpType().equals("Sub") || sub.getInputCount() != 2) {
            return null;
        }
        String x = sub.getInput(0);
        NodeProto mean = producers.get(sub.getInput(1));
        NodeProto add = producers.get(x);
        if (mean == null || !isLastAxisMean(mean, x) || add == null || !add.getOpType().equals("Add")
                || add.getInputCount() != 2 || initializers.containsKey(add.getInput(0))
                || initializers.containsKey(add.getInput(1)) || graphOutputs.contains(x)
                || !sameSet(consumers.get(x), List.of(mean, sub))) {
            return null;
        }
        String d = sub.getOutput(0);
        List<NodeProto> readersOfD = consumers.getOrDefault(d, List.of());
        NodeProto pow = only(readersOfD, "Pow");
        NodeProto div = only(readersOfD, "Div");
        if (pow == null || div == null || readersOfD.size() != 2 || !div.getInput(0).equals(d)
                || !isConstant(pow.getInput(1), constants, 2f)) {
            return null;
        }
        NodeProto variance = single(consumers, pow.getOutput(0), "ReduceMean");
        if (variance == null || !isLastAxisMean(variance, pow.getOutput(0))) {
            return null;
        }
        NodeProto addEps = single(consumers, variance.getOutput(0), "Add");
        if (addEps == null) {
            return null;
        }
        String epsName = addEps.getInput(0).equals(variance.getOutput(0)) ? addEps.getInput(1) : addEps.getInput(0);
        TensorProto eps = constants.get(epsName);
        if (eps == null || Tensors.toFloats(eps).length != 1) {
            return null;
        }
        NodeProto sqrt = single(consumers, addEps.getOutput(0), "Sqrt");
        if (sqrt == null || !div.getInput(1).equals(sqrt.getOutput(0))) {
            return null;
        }
        NodeProto mul = single(consumers, div.getOutput(0), "Mul");
        if (mul == null) {
            return null;
        }
        String gamma = other(mul, div.getOutput(0));
        NodeProto addBeta = single(consumers, mul.getOutput(0), "Add");
        if (addBeta == null || !isVector(gamma, initializers)) {
            return null;
        }
        String beta = other(addBeta, mul.getOutput(0));
        if (!isVector(beta, initializers) || Tensors.dims(initializers.get(beta))[0] != Tensors.dims(initializers.get(gamma))[0]) {
            return null;
        }
        for (NodeProto inner : List.of(mean, sub, pow, variance, addEps, sqrt, div, mul)) {
            if (inner.getOutputList().stream().anyMatch(graphOutputs::contains)) {
                return null;
            }
        }
        return new Match(add, List.of(add, mean, sub, pow, variance, addEps, sqrt, div, mul, addBeta), addBeta, gamma, beta,
                Tensors.toFloats(eps)[0], addBeta.getOutput(0), pow.getInput(1), epsName);
    }

    private static boolean isLastAxisMean(NodeProto node, String input) {
        if (!node.getOpType().equals("ReduceMean") || node.getInputCount() != 1 || !node.getInput(0).equals(input)) {
            return false;
        }
        for (AttributeProto attribute : node.getAttributeList()) {
            if (attribute.getName().equals("axes") && !(attribute.getIntsCount() == 1 && attribute.getInts(0) == -1)) {
                return false;
            }
            if (attribute.getName().equals("keepdims") && attribute.getI() != 1) {
                return false;
            }
        }
        return node.getAttributeList().stream().anyMatch(a -> a.getName().equals("axes"));
    }

    private static boolean isConstant(String name, Map<String, TensorProto> initializers, float value) {
        TensorProto tensor = initializers.get(name);
        if (tensor == null) {
            return false;
        }
        float[] values = Tensors.toFloats(tensor);
        return values.length == 1 && values[0] == value;
    }

    private static boolean isVector(String name, Map<String, TensorProto> initializers) {
        TensorProto tensor = initializers.get(name);
        return tensor != null && tensor.getDimsCount() == 1 && tensor.getDataType() == TensorProto.DataType.FLOAT_VALUE;
    }

    private static String other(NodeProto binary, String known) {
        if (binary.getInputCount() != 2) {
            return "";
        }
        return binary.getInput(0).equals(known) ? binary.getInput(1) : binary.getInput(0);
    }

    private static NodeProto only(List<NodeProto> nodes, String op) {
        NodeProto found = null;
        for (NodeProto node : nodes) {
            if (node.getOpType().equals(op)) {
                if (found != null) {
                    return null;
                }
                found = node;
            }
        }
        return found;
    }

    private static NodeProto single(Map<String, List<NodeProto>> consumers, String tensor, String op) {
        List<NodeProto> readers = consumers.getOrDefault(tensor, List.of());
        return readers.size() == 1 && readers.get(0).getOpType().equals(op) ? readers.get(0) : null;
    }

    private static boolean sameSet(List<NodeProto> a, List<NodeProto> b) {
        return a != null && a.size() == b.size() && new HashSet<>(a).equals(new HashSet<>(b));
    }
}
