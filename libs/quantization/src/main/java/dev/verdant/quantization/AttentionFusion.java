package dev.verdant.quantization;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import dev.verdant.onnx.Tensors;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes each self-attention block as torch exports BERT as one ONNX Runtime {@code com.microsoft:MultiHeadAttention}:
 * <pre>
 *   Qt = Transpose(Reshape(q, [b, s, heads, d]), [0, 2, 1, 3])      Kt = Transpose(Reshape(k, ..), [0, 2, 3, 1])
 *   Vt = Transpose(Reshape(v, ..), [0, 2, 1, 3])
 *   out = Reshape(Transpose(MatMul(Softmax(Add(Div(MatMul(Qt, Kt), c), mask), -1), Vt), [0, 2, 1, 3]), [b, s, hidden])
 *   becomes  out = MultiHeadAttention(q, k, v, , key_padding_mask = Cast&lt;int32&gt;(attention_mask)), num_heads, scale = 1/c
 * </pre>
 * The mask must be computed from the graph input {@code attention_mask} alone (Unsqueeze, Cast, Sub, Mul: the
 * {@code (1 - mask) * min_float} of transformers); the kernel then masks padded keys itself. The 4 Transposes, 3
 * Reshapes (and their shape arithmetic), 2 MatMuls, scale, mask Add and Softmax of a block become one node. Anything
 * that does not match exactly is left alone; if a removed tensor turns out to be read elsewhere, nothing is fused.
 */
final class AttentionFusion {

    static final String MASK_INPUT = "attention_mask";
    private static final Set<String> MASK_OPS = Set.of("Unsqueeze", "Cast", "Sub", "Mul", "Constant");

    record Result(ModelProto model, int fused) {
    }

    private AttentionFusion() {
    }

    static Result apply(ModelProto model) {
        GraphProto graph = model.getGraph();
        Map<String, TensorProto> constants = GraphRewrite.constants(graph);
        Map<String, NodeProto> producers = GraphRewrite.producers(graph);
        Map<String, List<NodeProto>> consumers = GraphRewrite.consumers(graph);
        Set<String> graphInputs = new HashSet<>();
        graph.getInputList().forEach(input -> graphInputs.add(input.getName()));
        if (!graphInputs.contains(MASK_INPUT)) {
            return new Result(model, 0);
        }
        String maskInt32 = MASK_INPUT + "_int32";
        Set<NodeProto> removed = new HashSet<>();
        Map<NodeProto, NodeProto> replacements = new HashMap<>();
        for (NodeProto softmax : graph.getNodeList()) {
            Block block = match(softmax, producers, consumers, constants, graphInputs);
            if (block == null) {
                continue;
            }
            NodeProto fused = ModelSupport.node("MultiHeadAttention", block.output + "_MultiHeadAttention",
                    List.of(block.q, block.k, block.v, "", maskInt32), List.of(block.output)).toBuilder()
                    .setDomain(Int4Quantizer.DOMAIN)
                    .addAttribute(ModelSupport.intAttribute("num_heads", block.heads))
                    .addAttribute(AttributeProto.newBuilder().setName("scale").setType(AttributeProto.AttributeType.FLOAT)
                            .setF(block.scale))
                    .build();
            removed.addAll(block.nodes);
            replacements.put(block.last, fused);
        }
        if (replacements.isEmpty()) {
            return new Result(model, 0);
        }
        List<NodeProto> nodes = new ArrayList<>();
        nodes.add(ModelSupport.cast(maskInt32 + "/Cast", MASK_INPUT, maskInt32, DataType.INT32_VALUE));
        for (NodeProto node : graph.getNodeList()) {
            if (replacements.containsKey(node)) {
                nodes.add(replacements.get(node));
            } else if (!removed.contains(node)) {
                nodes.add(node);
            }
        }
        nodes = withoutDeadNodes(nodes, graph);
        // Every tensor still read must still be made (or be a graph input or initializer): else give up.
        Set<String> available = new HashSet<>(graphInputs);
        available.addAll(GraphRewrite.initializers(graph).keySet());
        nodes.forEach(node -> available.addAll(node.getOutputList()));
        for (NodeProto node : nodes) {
            for (String input : node.getInputList()) {
                if (!input.isEmpty() && !available.contains(input)) {
                    return new Result(model, 0);
                }
            }
        }
        return new Result(GraphRewrite.rebuild(model, nodes, List.of(), Map.of(Int4Quantizer.DOMAIN, 1L)).build(),
                replacements.size());
    }

    private record Block(String q, String k, String v, String output, long heads, float scale, List<NodeProto> nodes,
            NodeProto last) {
    }

    private static Block match(NodeProto softmax, Map<String, NodeProto> producers, Map<String, List<NodeProto>> consumers,
            Map<String, TensorProto> constants, Set<String> graphInputs) {
        if (!softmax.getOpType().equals("Softmax") || softmax.getInputCount() != 1) {
            return null;
        }
        long axis = softmax.getAttributeList().stream().filter(a -> a.getName().equals("axis")).mapToLong(AttributeProto::getI)
                .findFirst().orElse(-1);
        if (axis != 3 && axis != -1) {
            return null;
        }
        NodeProto maskAdd = producers.get(softmax.getInput(0));
        if (maskAdd == null || !maskAdd.getOpType().equals("Add") || maskAdd.getInputCount() != 2) {
            return null;
        }
        NodeProto scaleNode = null;
        String mask = null;
        for (int i = 0; i < 2; i++) {
            NodeProto candidate = producers.get(maskAdd.getInput(i));
            if (candidate == null) {
                continue;
            }
            NodeProto product = producers.get(candidate.getInput(0));
            if ((candidate.getOpType().equals("Div") || candidate.getOpType().equals("Mul"))
                    && scalar(candidate.getInput(1), constants) != null && product != null
                    && product.getOpType().equals("MatMul")) {
                scaleNode = candidate;
                mask = maskAdd.getInput(1 - i);
            }
        }
        if (scaleNode == null || !isAttentionMask(mask, producers, constants, graphInputs)) {
            return null;
        }
        Float c = scalar(scaleNode.getInput(1), constants);
        float scale = scaleNode.getOpType().equals("Div") ? 1f / c : c;
        NodeProto scores = producers.get(scaleNode.getInput(0));
        if (scores == null || !scores.getOpType().equals("MatMul")) {
            return null;
        }
        NodeProto[] query = split(scores.getInput(0), List.of(0L, 2L, 1L, 3L), producers);
        NodeProto[] key = split(scores.getInput(1), List.of(0L, 2L, 3L, 1L), producers);
        List<NodeProto> readers = consumers.getOrDefault(softmax.getOutput(0), List.of());
        if (query == null || key == null || readers.size() != 1 || !readers.get(0).getOpType().equals("MatMul")
                || !readers.get(0).getInput(0).equals(softmax.getOutput(0))) {
            return null;
        }
        NodeProto context = readers.get(0);
        NodeProto[] value = split(context.getInput(1), List.of(0L, 2L, 1L, 3L), producers);
        NodeProto merge = single(consumers, context.getOutput(0), "Transpose");
        if (value == null || merge == null || !perm(merge).equals(List.of(0L, 2L, 1L, 3L))) {
            return null;
        }
        NodeProto reshape = null;
        for (NodeProto reader : consumers.getOrDefault(merge.getOutput(0), List.of())) {
            if (reader.getOpType().equals("Reshape") && reader.getInput(0).equals(merge.getOutput(0))) {
                reshape = reader;
            } else if (!reader.getOpType().equals("Shape")) {
                return null; // only the output Reshape and its own shape arithmetic may read the merged heads
            }
        }
        Long heads = heads(query[0], producers, constants);
        if (reshape == null || heads == null || heads <= 0) {
            return null;
        }
        List<NodeProto> nodes = List.of(query[0], query[1], key[0], key[1], value[0], value[1], scores, scaleNode, maskAdd,
                softmax, context, merge, reshape);
        return new Block(query[0].getInput(0), key[0].getInput(0), value[0].getInput(0), reshape.getOutput(0), heads, scale,
                nodes, reshape);
    }

    /** {Reshape, Transpose} when {@code tensor} = Transpose(Reshape(x, 4-D shape), perm); else null. */
    private static NodeProto[] split(String tensor, List<Long> perm, Map<String, NodeProto> producers) {
        NodeProto transpose = producers.get(tensor);
        if (transpose == null || !transpose.getOpType().equals("Transpose") || !perm(transpose).equals(perm)) {
            return null;
        }
        NodeProto reshape = producers.get(transpose.getInput(0));
        return reshape == null || !reshape.getOpType().equals("Reshape") ? null : new NodeProto[] {reshape, transpose};
    }

    /** The head count: element 2 of the split Reshape's target shape (a constant, or a Concat whose third part is one). */
    private static Long heads(NodeProto reshape, Map<String, NodeProto> producers, Map<String, TensorProto> constants) {
        String shape = reshape.getInput(1);
        TensorProto constant = constants.get(shape);
        if (constant != null) {
            long[] values = Tensors.toLongs(constant);
            return values.length == 4 ? values[2] : null;
        }
        NodeProto concat = producers.get(shape);
        if (concat == null || !concat.getOpType().equals("Concat") || concat.getInputCount() != 4) {
            return null;
        }
        TensorProto part = constants.get(concat.getInput(2));
        if (part == null) {
            return null;
        }
        long[] values = Tensors.toLongs(part);
        return values.length == 1 ? values[0] : null;
    }

    /** Whether {@code mask} is computed from the graph input attention_mask (and constants) alone. */
    private static boolean isAttentionMask(String mask, Map<String, NodeProto> producers, Map<String, TensorProto> constants,
            Set<String> graphInputs) {
        Deque<String> pending = new ArrayDeque<>(List.of(mask));
        Set<String> seen = new HashSet<>();
        boolean reachesMask = false;
        while (!pending.isEmpty()) {
            String tensor = pending.pop();
            if (!seen.add(tensor) || constants.containsKey(tensor)) {
                continue;
            }
            if (graphInputs.contains(tensor)) {
                if (!tensor.equals(MASK_INPUT)) {
                    return false;
                }
                reachesMask = true;
                continue;
            }
            NodeProto producer = producers.get(tensor);
            if (producer == null || !MASK_OPS.contains(producer.getOpType())) {
                return false;
            }
            producer.getInputList().stream().filter(input -> !input.isEmpty()).forEach(pending::push);
        }
        return reachesMask;
    }

    private static Float scalar(String name, Map<String, TensorProto> constants) {
        TensorProto tensor = constants.get(name);
        if (tensor == null || tensor.getDataType() != DataType.FLOAT_VALUE) {
            return null;
        }
        float[] values = Tensors.toFloats(tensor);
        return values.length == 1 && values[0] != 0 ? values[0] : null;
    }

    private static List<Long> perm(NodeProto transpose) {
        return transpose.getAttributeList().stream().filter(a -> a.getName().equals("perm")).findFirst()
                .map(AttributeProto::getIntsList).orElse(List.of());
    }

    private static NodeProto single(Map<String, List<NodeProto>> consumers, String tensor, String op) {
        List<NodeProto> readers = consumers.getOrDefault(tensor, List.of());
        return readers.size() == 1 && readers.get(0).getOpType().equals(op) ? readers.get(0) : null;
    }

    /** Drops nodes none of whose outputs is read by a kept node or is a graph output, until none is left to drop. */
    static List<NodeProto> withoutDeadNodes(List<NodeProto> nodes, GraphProto graph) {
        Set<String> outputs = new HashSet<>();
        graph.getOutputList().forEach(output -> outputs.add(output.getName()));
        List<NodeProto> kept = new ArrayList<>(nodes);
        boolean changed = true;
        while (changed) {
            Set<String> read = new HashSet<>(outputs);
            kept.forEach(node -> read.addAll(node.getInputList()));
            changed = kept.removeIf(node -> node.getOutputList().stream().noneMatch(read::contains));
        }
        return kept;
    }
}
