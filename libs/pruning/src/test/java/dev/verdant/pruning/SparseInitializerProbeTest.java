package dev.verdant.pruning;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.SparseTensorProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtSession;
import dev.verdant.onnx.Tensors;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Why SparseStorage does not use ONNX's sparse_initializer: ONNX Runtime does load a MatMul weight
 * stored that way (it densifies it when the session starts), but the indices are int64, so at 50%
 * sparsity the weight takes 0.5 x (4 + 8) = 6 bytes per element instead of 4: the file grows.
 */
class SparseInitializerProbeTest {

    @Test
    void onnxRuntimeRunsASparseInitializerButItIsLargerThanDenseAtHalfSparsity() throws Exception {
        int rows = 8;
        int cols = 6;
        float[] dense = new float[rows * cols];
        long nonzero = 0;
        for (int i = 0; i < dense.length; i++) {
            dense[i] = i % 2 == 0 ? 0.1f * (i + 1) : 0f;
        }
        java.util.List<Long> indices = new java.util.ArrayList<>();
        java.util.List<Float> values = new java.util.ArrayList<>();
        for (int i = 0; i < dense.length; i++) {
            if (dense[i] != 0) {
                indices.add((long) i);
                values.add(dense[i]);
                nonzero++;
            }
        }
        SparseTensorProto sparse = SparseTensorProto.newBuilder().addDims(rows).addDims(cols)
                .setValues(Tensors.ofFloats("W", new long[] {nonzero}, toArray(values)))
                .setIndices(Tensors.ofLongs("W_indices", new long[] {nonzero}, indices.stream().mapToLong(Long::longValue).toArray()))
                .build();
        ModelProto model = ModelProto.newBuilder().setIrVersion(7)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(13))
                .setGraph(GraphProto.newBuilder().setName("g")
                        .addNode(NodeProto.newBuilder().setOpType("MatMul").addInput("x").addInput("W").addOutput("y"))
                        .addSparseInitializer(sparse)
                        .addInput(info("x", 1, rows))
                        .addOutput(info("y", 1, cols)))
                .build();
        float[][] x = new float[1][rows];
        for (int i = 0; i < rows; i++) {
            x[0][i] = i + 1;
        }
        var env = OnnxRunner.environment();
        float[][] y;
        try (OrtSession session = env.createSession(model.toByteArray(), new OrtSession.SessionOptions());
             OnnxTensor input = OnnxTensor.createTensor(env, x);
             OrtSession.Result result = session.run(Map.of("x", input))) {
            y = (float[][]) result.get(0).getValue();
        }
        for (int j = 0; j < cols; j++) {
            double expected = 0;
            for (int i = 0; i < rows; i++) {
                expected += x[0][i] * dense[i * cols + j];
            }
            assertThat(y[0][j]).isCloseTo((float) expected, org.assertj.core.api.Assertions.within(1e-4f));
        }
        // stored bytes of the weight: values + int64 indices vs dense float32
        long sparseBytes = sparse.getValues().getRawData().size() + sparse.getIndices().getRawData().size();
        assertThat(sparseBytes).isEqualTo(nonzero * 12).isGreaterThan(4L * rows * cols);
        assertThat(SparseStorage.encode(dense).entries() * 5L).isLessThan(4L * rows * cols);
    }

    private static float[] toArray(java.util.List<Float> values) {
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i);
        }
        return out;
    }

    private static ValueInfoProto info(String name, long... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (long dim : dims) {
            shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(dim));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(shape))).build();
    }
}
