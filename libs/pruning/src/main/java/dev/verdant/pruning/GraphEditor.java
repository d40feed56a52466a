package dev.verdant.pruning;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import dev.verdant.onnx.Tensors;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One graph being rewritten: who produces and consumes each tensor, the initializers and Constant
 * node values, and the edits (initializers replaced or added, node inputs redirected, nodes
 * replaced). {@link #build()} makes the new graph, dropping initializers nothing reads any more.
 */
final class GraphEditor {

    private final GraphProto original;
    private final List<NodeProto> nodes;
    private final Map<String, TensorProto> initializers = new LinkedHashMap<>();
    private final Map<String, TensorProto> constantNodes = new HashMap<>();
    private final Map<String, Integer> producers = new HashMap<>();
    private final Map<String, List<Integer>> consumers = new HashMap<>();
    private final Map<Integer, List<NodeProto>> replacements = new HashMap<>();
    private final List<NodeProto> prepended = new ArrayList<>();
    private final Set<String> names = new HashSet<>();

    GraphEditor(GraphProto graph) {
        original = graph;
        nodes = new ArrayList<>(graph.getNodeList());
        for (TensorProto tensor : graph.getInitializerList()) {
            initializers.putIfAbsent(tensor.getName(), tensor);
            names.add(tensor.getName());
        }
        for (int i = 0; i < nodes.size(); i++) {
            NodeProto node = nodes.get(i);
            names.add(node.getName());
            for (String output : node.getOutputList()) {
                if (!output.isEmpty()) {
                    producers.putIfAbsent(output, i);
                    names.add(output);
                }
            }
            for (String input : node.getInputList()) {
                if (!input.isEmpty()) {
                    consumers.computeIfAbsent(input, key -> new ArrayList<>()).add(i);
                }
            }
            if (node.getOpType().equals("Constant") && node.getOutputCount() == 1) {
                for (AttributeProto attribute : node.getAttributeList()) {
                    if (attribute.getName().equals("value") && attribute.hasT()) {
                        constantNodes.put(node.getOutput(0), attribute.getT());
                    }
                }
            }
        }
        graph.getInputList().forEach(input -> names.add(input.getName()));
        graph.getOutputList().forEach(output -> names.add(output.getName()));
    }

    int nodeCount() {
        return nodes.size();
    }

    NodeProto node(int index) {
        return nodes.get(index);
    }

    Optional<Integer> producer(String tensor) {
        return Optional.ofNullable(producers.get(tensor));
    }

    List<Integer> consumers(String tensor) {
        return consumers.getOrDefault(tensor, List.of());
    }

    boolean isGraphOutput(String tensor) {
        return original.getOutputList().stream().anyMatch(output -> output.getName().equals(tensor));
    }

    Optional<TensorProto> initializer(String name) {
        return Optional.ofNullable(initializers.get(name));
    }

    /** An initializer or the value of a Constant node. */
    Optional<TensorProto> constant(String name) {
        TensorProto tensor = initializers.get(name);
        return tensor != null ? Optional.of(tensor) : Optional.ofNullable(constantNodes.get(name));
    }

    boolean isConstant(String name) {
        return initializers.containsKey(name) || constantNodes.containsKey(name);
    }

    /** A small integer constant (shape pieces), decoded. */
    Optional<long[]> smallLongs(String name) {
        return constant(name).flatMap(tensor -> {
            try {
                return Tensors.elementCount(tensor) <= 16 ? Optional.of(Tensors.toLongs(tensor)) : Optional.empty();
            } catch (IllegalArgumentException notIntegers) {
                return Optional.empty();
            }
        });
    }

    /** A 2-D float initializer read by exactly one node (so rewriting it changes nothing else). */
    Optional<TensorProto> privateMatrix(String name) {
        TensorProto tensor = initializers.get(name);
        if (tensor == null || tensor.getDataType() != TensorProto.DataType.FLOAT_VALUE || tensor.getDimsCount() != 2
                || consumers(name).size() != 1 || isGraphOutput(name)) {
            return Optional.empty();
        }
        return Optional.of(tensor);
    }

    /** A 1-D float initializer of {@code length} read by exactly one node. */
    Optional<TensorProto> privateVector(String name, long length) {
        TensorProto tensor = initializers.get(name);
        if (tensor == null || tensor.getDataType() != TensorProto.DataType.FLOAT_VALUE || tensor.getDimsCount() != 1
                || tensor.getDims(0) != length || consumers(name).size() != 1 || isGraphOutput(name)) {
            return Optional.empty();
        }
        return Optional.of(tensor);
    }

    /** Replaces an initializer's value, keeping its name. */
    void replaceInitializer(TensorProto tensor) {
        if (!initializers.containsKey(tensor.getName())) {
            throw new IllegalStateException("no initializer " + tensor.getName() + " to replace");
        }
        initializers.put(tensor.getName(), tensor);
    }

    /** Removes an initializer (something else, e.g. prepended nodes, produces the name instead). */
    void removeInitializer(String name) {
        initializers.remove(name);
    }

    /** Adds (or replaces) an initializer under its own name; the caller makes sure nothing else produces it. */
    void putInitializer(TensorProto tensor) {
        initializers.put(tensor.getName(), tensor);
    }

    /** Adds an initializer under a fresh name derived from {@code base}; returns that name. */
    String addInitializer(String base, TensorProto tensor) {
        String name = freshName(base);
        initializers.put(name, tensor.toBuilder().setName(name).build());
        return name;
    }

    /** Adds a Constant node (prepended) emitting {@code tensor} under a fresh name; returns that name. */
    String addConstantNode(String base, TensorProto tensor) {
        String name = freshName(base);
        prepend(List.of(node("Constant", name, List.of(), List.of(name), AttributeProto.newBuilder().setName("value")
                .setType(AttributeProto.AttributeType.TENSOR).setT(tensor.toBuilder().setName(name)).build())));
        return name;
    }

    String freshName(String base) {
        String name = base;
        for (int i = 1; names.contains(name); i++) {
            name = base + "_" + i;
        }
        names.add(name);
        return name;
    }

    /** Points input {@code input} of node {@code index} at another tensor. */
    void redirectInput(int index, int input, String tensor) {
        NodeProto node = current(index);
        set(index, node.toBuilder().setInput(input, tensor).build());
    }

    /** Replaces node {@code index} by a sequence of nodes. */
    void replaceNode(int index, List<NodeProto> replacement) {
        replacements.put(index, List.copyOf(replacement));
    }

    /** Adds nodes at the start of the graph (they may read only graph inputs and constants). */
    void prepend(List<NodeProto> added) {
        prepended.addAll(added);
    }

    private NodeProto current(int index) {
        List<NodeProto> replaced = replacements.get(index);
        if (replaced != null) {
            if (replaced.size() != 1) {
                throw new IllegalStateException("node " + index + " was already expanded");
            }
            return replaced.get(0);
        }
        return nodes.get(index);
    }

    private void set(int index, NodeProto node) {
        replacements.put(index, List.of(node));
    }

    /**
     * The rewritten graph. Intermediate value_info entries are dropped: they may state shapes the
     * pruning changed, and they are optional (ONNX Runtime infers shapes itself).
     */
    GraphProto build() {
        List<NodeProto> out = new ArrayList<>(prepended);
        for (int i = 0; i < nodes.size(); i++) {
            out.addAll(replacements.getOrDefault(i, List.of(nodes.get(i))));
        }
        Set<String> read = new HashSet<>();
        original.getOutputList().forEach(output -> read.add(output.getName()));
        for (NodeProto node : out) {
            read.addAll(node.getInputList());
        }
        // Shape constants replaced by pruned copies are read by nothing now: drop their Constant nodes.
        out.removeIf(node -> node.getOpType().equals("Constant") && node.getOutputList().stream().noneMatch(read::contains));
        GraphProto.Builder graph = original.toBuilder().clearNode().addAllNode(out).clearInitializer().clearValueInfo();
        Set<String> kept = new HashSet<>();
        for (TensorProto tensor : initializers.values()) {
            if (read.contains(tensor.getName())) {
                graph.addInitializer(tensor);
                kept.add(tensor.getName());
            }
        }
        // Before IR 4 initializers were also graph inputs: drop the inputs of dropped initializers.
        List<ValueInfoProto> inputs = new ArrayList<>();
        for (ValueInfoProto input : original.getInputList()) {
            boolean wasInitializer = original.getInitializerList().stream().anyMatch(t -> t.getName().equals(input.getName()));
            if (!wasInitializer || kept.contains(input.getName())) {
                inputs.add(input);
            }
        }
        graph.clearInput().addAllInput(inputs);
        return graph.build();
    }

    static NodeProto node(String op, String name, List<String> inputs, List<String> outputs, AttributeProto... attributes) {
        return NodeProto.newBuilder().setOpType(op).setName(name).addAllInput(inputs).addAllOutput(outputs)
                .addAllAttribute(List.of(attributes)).build();
    }

    static AttributeProto intAttribute(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    static long parameters(GraphProto graph) {
        long total = 0;
        for (TensorProto tensor : graph.getInitializerList()) {
            total += Tensors.elementCount(tensor);
        }
        return total;
    }
}
