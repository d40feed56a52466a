package dev.verdant.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import ai.onnx.proto.OnnxMl.ValueInfoProto;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * Lookup tables over one graph: who produces and who consumes each tensor name, and which names
 * are constants (initializers or Constant nodes). Built once, read by every structural check.
 */
final class GraphIndex {

    /** Constants larger than this are weights, not shape/scale values worth decoding. */
    private static final int SMALL_CONSTANT_ELEMENTS = 64;

    private final GraphProto graph;
    private final Map<String, TensorProto> initializers = new HashMap<>();
    private final Map<String, TensorProto> constantNodes = new HashMap<>();
    private final Map<String, NodeProto> producers = new HashMap<>();
    private final Map<String, List<NodeProto>> consumers = new HashMap<>();
    private final Set<String> runtimeInputs = new LinkedHashSet<>();

    GraphIndex(GraphProto graph) {
        this.graph = graph;
        for (TensorProto initializer : graph.getInitializerList()) {
            initializers.putIfAbsent(initializer.getName(), initializer);
        }
        for (ValueInfoProto input : graph.getInputList()) {
            // Before IR 4 every initializer was also listed as a graph input; those are not fed.
            if (!initializers.containsKey(input.getName())) {
                runtimeInputs.add(input.getName());
            }
        }
        for (NodeProto node : graph.getNodeList()) {
            for (String output : node.getOutputList()) {
                if (!output.isEmpty()) {
                    producers.putIfAbsent(output, node);
                }
            }
            for (String input : node.getInputList()) {
                if (!input.isEmpty()) {
                    consumers.computeIfAbsent(input, name -> new ArrayList<>()).add(node);
                }
            }
            if (node.getOpType().equals("Constant") && node.getOutputCount() == 1) {
                constantValue(node).ifPresent(value -> constantNodes.put(node.getOutput(0), value));
            }
        }
    }

    GraphProto graph() {
        return graph;
    }

    Map<String, TensorProto> initializers() {
        return initializers;
    }

    Set<String> runtimeInputs() {
        return runtimeInputs;
    }

    Optional<NodeProto> producer(String name) {
        return Optional.ofNullable(producers.get(name));
    }

    List<NodeProto> consumers(String name) {
        return consumers.getOrDefault(name, List.of());
    }

    boolean isConstant(String name) {
        return initializers.containsKey(name) || constantNodes.containsKey(name);
    }

    /** An initializer, or the value of the Constant node producing {@code name}. */
    Optional<TensorProto> constant(String name) {
        TensorProto tensor = initializers.get(name);
        return tensor != null ? Optional.of(tensor) : Optional.ofNullable(constantNodes.get(name));
    }

    /** A small integer constant (shape vectors, axes) decoded; empty if absent, large or malformed. */
    Optional<long[]> smallLongs(String name) {
        return constant(name).flatMap(tensor -> {
            try {
                return Tensors.elementCount(tensor) <= SMALL_CONSTANT_ELEMENTS
                        ? Optional.of(Tensors.toLongs(tensor)) : Optional.empty();
            } catch (IllegalArgumentException malformed) {
                return Optional.empty();
            }
        });
    }

    /** A one-element floating-point constant (a scale, an epsilon); empty otherwise. */
    OptionalDouble scalarFloat(String name) {
        Optional<TensorProto> tensor = constant(name);
        if (tensor.isEmpty()) {
            return OptionalDouble.empty();
        }
        try {
            if (Tensors.elementCount(tensor.get()) != 1) {
                return OptionalDouble.empty();
            }
            return OptionalDouble.of(Tensors.toFloats(tensor.get())[0]);
        } catch (IllegalArgumentException notFloat) {
            return OptionalDouble.empty();
        }
    }

    /**
     * Shape of a weight matrix reaching a node input: an initializer, or one seen through the
     * nodes quantizers and exporters put in front of it (DequantizeLinear and Cast keep the shape,
     * Transpose permutes it).
     */
    Optional<Weight> weight(String name) {
        String current = name;
        int[] permutation = null;
        for (int hop = 0; hop < 4; hop++) {
            Optional<TensorProto> tensor = constant(current);
            if (tensor.isPresent()) {
                if (Tensors.isExternal(tensor.get()) && tensor.get().getDimsCount() == 0) {
                    return Optional.empty();
                }
                long[] dims = Tensors.dims(tensor.get());
                if (permutation != null) {
                    if (permutation.length != dims.length) {
                        return Optional.empty();
                    }
                    long[] permuted = new long[dims.length];
                    for (int i = 0; i < dims.length; i++) {
                        if (permutation[i] >= dims.length) {
                            return Optional.empty();
                        }
                        permuted[i] = dims[permutation[i]];
                    }
                    dims = permuted;
                }
                return Optional.of(new Weight(tensor.get().getName(), dims, tensor.get().getDataType()));
            }
            Optional<NodeProto> node = producer(current);
            if (node.isEmpty() || node.get().getInputCount() == 0) {
                return Optional.empty();
            }
            switch (node.get().getOpType()) {
                case "DequantizeLinear", "Cast", "Identity" -> current = node.get().getInput(0);
                case "Transpose" -> {
                    if (permutation != null) {
                        return Optional.empty();
                    }
                    permutation = permutation(node.get()).orElse(new int[] {1, 0});
                    current = node.get().getInput(0);
                }
                case "Reshape" -> {
                    // A weight rebuilt at load (e.g. unstructured pruning's compact form: the nonzero
                    // values scattered into zeros, then reshaped): its shape is the Reshape's constant target.
                    return permutation != null ? Optional.empty() : rebuiltWeight(node.get());
                }
                default -> {
                    return Optional.empty();
                }
            }
        }
        return Optional.empty();
    }

    /** A Reshape to a constant, positive 2-D shape whose data is computed from constants only. */
    private Optional<Weight> rebuiltWeight(NodeProto reshape) {
        if (reshape.getInputCount() < 2) {
            return Optional.empty();
        }
        Optional<TensorProto> shape = constant(reshape.getInput(1));
        if (shape.isEmpty()) {
            return Optional.empty();
        }
        long[] dims;
        try {
            dims = Tensors.toLongs(shape.get());
        } catch (IllegalArgumentException notIntegers) {
            return Optional.empty();
        }
        if (dims.length != 2 || dims[0] <= 0 || dims[1] <= 0 || !computedFromConstants(reshape.getInput(0), 6)) {
            return Optional.empty();
        }
        return Optional.of(new Weight(reshape.getInput(0), dims, TensorProto.DataType.FLOAT_VALUE));
    }

    /** True when {@code name} is a constant or made, within {@code depth} nodes, from constants only. */
    private boolean computedFromConstants(String name, int depth) {
        if (constant(name).isPresent()) {
            return true;
        }
        if (depth == 0 || runtimeInputs.contains(name)) {
            return false;
        }
        Optional<NodeProto> node = producer(name);
        if (node.isEmpty() || node.get().getInputCount() == 0) {
            return false;
        }
        for (String input : node.get().getInputList()) {
            if (!input.isEmpty() && !computedFromConstants(input, depth - 1)) {
                return false;
            }
        }
        return true;
    }

    /** Walks back from {@code name} through single-input reshaping ops to a runtime graph input. */
    Optional<String> graphInputBehind(String name) {
        String current = name;
        for (int hop = 0; hop < 4; hop++) {
            if (runtimeInputs.contains(current)) {
                return Optional.of(current);
            }
            Optional<NodeProto> node = producer(current);
            if (node.isEmpty() || node.get().getInputCount() == 0) {
                return Optional.empty();
            }
            switch (node.get().getOpType()) {
                case "Cast", "Identity", "Unsqueeze", "Squeeze", "Reshape", "Flatten" -> current = node.get().getInput(0);
                default -> {
                    return Optional.empty();
                }
            }
        }
        return Optional.empty();
    }

    static Optional<Long> intAttribute(NodeProto node, String attribute) {
        for (AttributeProto candidate : node.getAttributeList()) {
            if (candidate.getName().equals(attribute) && candidate.getType() == AttributeProto.AttributeType.INT) {
                return Optional.of(candidate.getI());
            }
        }
        return Optional.empty();
    }

    /** A Transpose's perm attribute; out-of-range entries become 64 (rejected by the caller). */
    private static Optional<int[]> permutation(NodeProto transpose) {
        for (AttributeProto candidate : transpose.getAttributeList()) {
            if (candidate.getName().equals("perm") && candidate.getType() == AttributeProto.AttributeType.INTS) {
                return Optional.of(candidate.getIntsList().stream()
                        .mapToInt(value -> value < 0 || value > 64 ? 64 : value.intValue()).toArray());
            }
        }
        return Optional.empty();
    }

    /** The tensor a Constant node emits, whichever of its value attributes it uses. */
    private static Optional<TensorProto> constantValue(NodeProto node) {
        for (AttributeProto attribute : node.getAttributeList()) {
            TensorProto.Builder tensor = TensorProto.newBuilder().setName(node.getOutput(0));
            switch (attribute.getName()) {
                case "value" -> {
                    return Optional.of(attribute.getT().toBuilder().setName(node.getOutput(0)).build());
                }
                case "value_float" -> {
                    return Optional.of(tensor.setDataType(DataType.FLOAT_VALUE).addFloatData(attribute.getF()).build());
                }
                case "value_floats" -> {
                    return Optional.of(tensor.setDataType(DataType.FLOAT_VALUE).addDims(attribute.getFloatsCount())
                            .addAllFloatData(attribute.getFloatsList()).build());
                }
                case "value_int" -> {
                    return Optional.of(tensor.setDataType(DataType.INT64_VALUE).addInt64Data(attribute.getI()).build());
                }
                case "value_ints" -> {
                    return Optional.of(tensor.setDataType(DataType.INT64_VALUE).addDims(attribute.getIntsCount())
                            .addAllInt64Data(attribute.getIntsList()).build());
                }
                default -> {
                    // sparse_value, value_string(s): not numbers this inspector reads.
                }
            }
        }
        return Optional.empty();
    }

    /**
     * A weight as a node consumes it.
     *
     * @param tensorName  the initializer holding it
     * @param dims        its dims, after any Transpose in between
     * @param elementType stored element type (int8 for a quantized weight)
     */
    record Weight(String tensorName, long[] dims, int elementType) {

        boolean isMatrix() {
            return dims.length == 2 && dims[0] > 0 && dims[1] > 0;
        }
    }
}
