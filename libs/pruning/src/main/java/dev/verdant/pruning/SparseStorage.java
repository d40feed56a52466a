package dev.verdant.pruning;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import com.google.protobuf.ByteString;
import dev.verdant.onnx.Tensors;

import java.io.ByteArrayOutputStream;
import java.util.List;

/**
 * Stores a sparse weight in about 5 bytes per nonzero instead of 4 bytes per element, and rebuilds
 * it densely with standard ops (opset 11) when the model is loaded:
 * <pre>
 *   positions = CumSum(Cast&lt;int64&gt;(gaps))                     gaps: uint8 [N]
 *   W = Reshape(ScatterElements(ConstantOfShape([m n]), positions, values, axis 0), [m, n])
 * </pre>
 * gaps[0] is the first nonzero's flat (row-major) index, gaps[i] the distance from the previous
 * one; a distance above 255 is bridged by entries of value 0 every 255 positions (they land on
 * zeros). Values stay float32, exactly the pruned weights.
 *
 * <p>Why not ONNX's sparse_initializer: its indices are int64 (or int32 at best), 8 bytes per nonzero
 * on top of the 4 of the value, which at 50% sparsity is larger than the dense matrix. Why not a
 * bit mask: unpacking bits needs BitwiseAnd, only from opset 18. Every input of the rebuild is
 * constant, so ONNX Runtime folds it at session start: the running model is dense, exactly as fast
 * and as large in memory as the unpruned one. Only the file (and its transfer) shrinks.
 */
final class SparseStorage {

    static final int MIN_OPSET = 11;
    private static final int MAX_GAP = 255;

    /** gaps and values of one matrix. */
    record Encoded(byte[] gaps, float[] values) {
        int entries() {
            return values.length;
        }
    }

    private SparseStorage() {
    }

    static Encoded encode(float[] dense) {
        ByteArrayOutputStream gaps = new ByteArrayOutputStream();
        FloatList values = new FloatList();
        long previous = 0;
        for (int i = 0; i < dense.length; i++) {
            if (dense[i] == 0) {
                continue;
            }
            long gap = i - previous;
            while (gap > MAX_GAP) {
                gaps.write(MAX_GAP);
                values.add(0f);
                gap -= MAX_GAP;
            }
            gaps.write((int) gap);
            values.add(dense[i]);
            previous = i;
        }
        return new Encoded(gaps.toByteArray(), values.toArray());
    }

    /** The dense values the rebuild computes (what ONNX Runtime's folding produces), for tests. */
    static float[] decode(Encoded encoded, int length) {
        float[] dense = new float[length];
        long position = 0;
        for (int i = 0; i < encoded.entries(); i++) {
            position += encoded.gaps()[i] & 0xFF;
            dense[(int) position] = encoded.values()[i];
        }
        return dense;
    }

    /**
     * Replaces initializer {@code weight} [rows, cols] by its encoded form and the nodes rebuilding it
     * under the same name (consumers unchanged).
     */
    static Encoded store(GraphEditor graph, String weight, int rows, int cols, float[] dense) {
        Encoded encoded = encode(dense);
        String base = weight + "_sparse";
        String gaps = graph.addInitializer(base + "/gaps", bytes(DataType.UINT8_VALUE, encoded.gaps()));
        String values = graph.addInitializer(base + "/values",
                Tensors.ofFloats("values", new long[] {encoded.entries()}, encoded.values()));
        String axis = graph.addInitializer(base + "/axis", Tensors.ofLongs("axis", new long[0], new long[] {0}));
        String flatShape = graph.addInitializer(base + "/flat_shape",
                Tensors.ofLongs("flat_shape", new long[] {1}, new long[] {(long) rows * cols}));
        String shape = graph.addInitializer(base + "/shape", Tensors.ofLongs("shape", new long[] {2}, new long[] {rows, cols}));
        String wide = graph.freshName(base + "/gaps_int64");
        String positions = graph.freshName(base + "/positions");
        String zeros = graph.freshName(base + "/zeros");
        String flat = graph.freshName(base + "/flat");
        graph.removeInitializer(weight);
        graph.prepend(List.of(
                GraphEditor.node("Cast", wide, List.of(gaps), List.of(wide), GraphEditor.intAttribute("to", DataType.INT64_VALUE)),
                GraphEditor.node("CumSum", positions, List.of(wide, axis), List.of(positions)),
                GraphEditor.node("ConstantOfShape", zeros, List.of(flatShape), List.of(zeros), floatZero()),
                GraphEditor.node("ScatterElements", flat, List.of(zeros, positions, values), List.of(flat),
                        GraphEditor.intAttribute("axis", 0)),
                GraphEditor.node("Reshape", graph.freshName(base + "/Reshape"), List.of(flat, shape), List.of(weight))));
        return encoded;
    }

    /**
     * The model with every compact weight written by {@link #store} turned back into a dense float
     * initializer (same name, same values): what ONNX Runtime computes at load, as a file. Nodes
     * not matching the exact rebuild pattern are left alone.
     */
    static ai.onnx.proto.OnnxMl.ModelProto densify(ai.onnx.proto.OnnxMl.ModelProto model) {
        GraphEditor graph = new GraphEditor(model.getGraph());
        java.util.Set<Integer> dropped = new java.util.HashSet<>();
        for (int i = 0; i < graph.nodeCount(); i++) {
            NodeProto reshape = graph.node(i);
            if (!reshape.getOpType().equals("Reshape") || reshape.getInputCount() != 2) {
                continue;
            }
            java.util.Optional<Integer> scatter = graph.producer(reshape.getInput(0))
                    .filter(j -> graph.node(j).getOpType().equals("ScatterElements"));
            if (scatter.isEmpty()) {
                continue;
            }
            NodeProto scatterNode = graph.node(scatter.get());
            java.util.Optional<Integer> cumsum = graph.producer(scatterNode.getInput(1))
                    .filter(j -> graph.node(j).getOpType().equals("CumSum"));
            java.util.Optional<Integer> zeros = graph.producer(scatterNode.getInput(0))
                    .filter(j -> graph.node(j).getOpType().equals("ConstantOfShape"));
            if (cumsum.isEmpty() || zeros.isEmpty()) {
                continue;
            }
            java.util.Optional<Integer> cast = graph.producer(graph.node(cumsum.get()).getInput(0))
                    .filter(j -> graph.node(j).getOpType().equals("Cast"));
            java.util.Optional<long[]> shape = graph.smallLongs(reshape.getInput(1));
            java.util.Optional<TensorProto> values = graph.initializer(scatterNode.getInput(2));
            if (cast.isEmpty() || shape.isEmpty() || shape.get().length != 2 || values.isEmpty()) {
                continue;
            }
            java.util.Optional<TensorProto> gaps = graph.initializer(graph.node(cast.get()).getInput(0));
            if (gaps.isEmpty()) {
                continue;
            }
            int rows = (int) shape.get()[0];
            int cols = (int) shape.get()[1];
            Encoded encoded = new Encoded(gaps.get().getRawData().toByteArray(), Tensors.toFloats(values.get()));
            String name = reshape.getOutput(0);
            graph.putInitializer(Tensors.ofFloats(name, new long[] {rows, cols}, decode(encoded, rows * cols)));
            for (int node : List.of(i, scatter.get(), cumsum.get(), zeros.get(), cast.get())) {
                dropped.add(node);
            }
        }
        for (int node : dropped) {
            graph.replaceNode(node, List.of());
        }
        return model.toBuilder().setGraph(graph.build()).build();
    }

    private static AttributeProto floatZero() {
        return AttributeProto.newBuilder().setName("value").setType(AttributeProto.AttributeType.TENSOR)
                .setT(Tensors.ofFloats("zero", new long[] {1}, new float[] {0f})).build();
    }

    private static TensorProto bytes(int type, byte[] values) {
        return TensorProto.newBuilder().setName("gaps").setDataType(type).addDims(values.length)
                .setRawData(ByteString.copyFrom(values)).build();
    }

    /** A growable float array (no boxing for millions of weights). */
    private static final class FloatList {
        private float[] values = new float[1024];
        private int size;

        void add(float value) {
            if (size == values.length) {
                values = java.util.Arrays.copyOf(values, size * 2);
            }
            values[size++] = value;
        }

        float[] toArray() {
            return java.util.Arrays.copyOf(values, size);
        }
    }
}
