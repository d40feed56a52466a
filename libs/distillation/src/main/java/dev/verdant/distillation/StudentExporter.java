package dev.verdant.distillation;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
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
 * Writes the student back as ONNX: the teacher's own graph with the dropped layers cut out and the
 * trained weights in place of the teacher's, so the student keeps every op pattern, input, output
 * and opset of the teacher (and runs wherever the teacher runs).
 *
 * <p>How: for each kept layer k whose predecessor k - 1 was dropped, its inputs that read layer
 * k - 1's output (the boundary after k - 1's second LayerNorm) now read the previous kept
 * layer's output (or the embeddings'); if the top layer is dropped, an Identity writes the last
 * kept layer's output under the graph output's name. Nodes no graph output depends on any more
 * (the dropped layers) and initializers no node reads are removed. value_info is cleared (shapes
 * of removed or narrowed tensors would be stale).
 */
final class StudentExporter {

    private StudentExporter() {
    }

    static ModelProto export(BertLayout layout, StudentWeights trained) {
        ModelProto teacher = layout.model;
        GraphProto graph = teacher.getGraph();
        List<Integer> kept = trained.keptLayers;
        int teacherLayers = layout.layers.size();

        Map<String, String> rewire = new HashMap<>();
        int previous = -1;
        for (int k : kept) {
            if (k - 1 != previous) {
                rewire.put(layout.layerOutput(k - 1), layout.layerOutput(previous));
            }
            previous = k;
        }
        List<NodeProto> nodes = new ArrayList<>();
        String top = layout.layerOutput(teacherLayers - 1);
        boolean topDropped = previous != teacherLayers - 1;
        for (NodeProto node : graph.getNodeList()) {
            NodeProto.Builder builder = node.toBuilder();
            for (int i = 0; i < builder.getInputCount(); i++) {
                String replacement = rewire.get(builder.getInput(i));
                if (replacement != null) {
                    builder.setInput(i, replacement);
                }
                if (topDropped && builder.getInput(i).equals(top)) {
                    builder.setInput(i, layout.layerOutput(previous));
                }
            }
            if (topDropped && node.getOutputList().contains(top)) {
                continue; // its producer goes; the Identity below writes the graph output
            }
            nodes.add(builder.build());
        }
        if (topDropped) {
            nodes.add(NodeProto.newBuilder().setOpType("Identity").setName("/verdant/student_output")
                    .addInput(layout.layerOutput(previous)).addOutput(top).build());
        }
        nodes = live(nodes, graph.getOutputList());

        Map<String, TensorProto> replaced = new HashMap<>();
        for (StudentWeights.Tensor tensor : trained.tensors.values()) {
            replaced.put(tensor.initializer(), Tensors.ofFloats(tensor.initializer(), tensor.shape(), tensor.values()));
        }
        Set<String> read = new HashSet<>();
        for (NodeProto node : nodes) {
            read.addAll(node.getInputList());
        }
        GraphProto.Builder out = graph.toBuilder().clearNode().addAllNode(nodes).clearInitializer().clearValueInfo();
        for (TensorProto initializer : graph.getInitializerList()) {
            if (read.contains(initializer.getName())) {
                out.addInitializer(replaced.getOrDefault(initializer.getName(), initializer));
            }
        }
        return teacher.toBuilder().setGraph(out).build();
    }

    /** The nodes some graph output depends on, in their original (topological) order. */
    private static List<NodeProto> live(List<NodeProto> nodes, List<ValueInfoProto> outputs) {
        Map<String, NodeProto> producer = new HashMap<>();
        for (NodeProto node : nodes) {
            for (String output : node.getOutputList()) {
                producer.put(output, node);
            }
        }
        Set<NodeProto> needed = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        Deque<String> pending = new ArrayDeque<>();
        outputs.forEach(output -> pending.add(output.getName()));
        while (!pending.isEmpty()) {
            NodeProto node = producer.get(pending.poll());
            if (node != null && needed.add(node)) {
                pending.addAll(node.getInputList());
            }
        }
        return nodes.stream().filter(needed::contains).toList();
    }

    /** Elements of every initializer (how the inspector counts parameters). */
    static long parameters(ModelProto model) {
        return model.getGraph().getInitializerList().stream().mapToLong(Tensors::elementCount).sum();
    }
}
