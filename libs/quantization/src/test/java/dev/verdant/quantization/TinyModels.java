package dev.verdant.quantization;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.verdant.onnx.OnnxGraphs;
import dev.verdant.onnx.Tensors;
import dev.verdant.onnx.testing.TinyBertBuilder;
import java.util.Map;
import java.util.Random;

/** Tiny graphs and an ONNX Runtime runner shared by the mode tests (surefire's short command line: a plain environment). */
final class TinyModels {

    static final OrtEnvironment ENVIRONMENT = OrtEnvironment.getEnvironment();

    private TinyModels() {
    }

    static TinyBertBuilder tiny() {
        return TinyBertBuilder.tiny().layers(2).hidden(64).heads(4).ffn(128).vocabulary(200).seed(3);
    }

    static QuantizationOutcome.Quantized quantized(QuantizationOutcome outcome) {
        assertThat(outcome).as("outcome %s", outcome).isInstanceOf(QuantizationOutcome.Quantized.class);
        return (QuantizationOutcome.Quantized) outcome;
    }

    static long[][] ids(int batch, int length, long seed) {
        Random random = new Random(seed);
        long[][] ids = new long[batch][length];
        for (long[] row : ids) {
            for (int i = 0; i < length; i++) {
                row[i] = random.nextInt(200);
            }
        }
        return ids;
    }

    static long[][] ones(int batch, int length) {
        long[][] mask = new long[batch][length];
        for (long[] row : mask) {
            java.util.Arrays.fill(row, 1);
        }
        return mask;
    }

    static float[][][] run(byte[] model, long[][] ids, long[][] mask) throws OrtException {
        long[][] types = new long[ids.length][ids[0].length];
        try (OrtSession session = ENVIRONMENT.createSession(model, new OrtSession.SessionOptions());
                OnnxTensor a = OnnxTensor.createTensor(ENVIRONMENT, ids);
                OnnxTensor b = OnnxTensor.createTensor(ENVIRONMENT, mask);
                OnnxTensor c = OnnxTensor.createTensor(ENVIRONMENT, types);
                OrtSession.Result result = session.run(Map.of("input_ids", a, "attention_mask", b, "token_type_ids", c))) {
            return (float[][][]) result.get("last_hidden_state").orElseThrow().getValue();
        }
    }

    /** Every value of {@code actual} within {@code tolerance} of {@code expected}. */
    static void assertClose(float[][][] expected, float[][][] actual, float tolerance) {
        for (int b = 0; b < expected.length; b++) {
            for (int t = 0; t < expected[b].length; t++) {
                for (int h = 0; h < expected[b][t].length; h++) {
                    assertThat(actual[b][t][h]).as("batch %d token %d hidden %d", b, t, h)
                            .isCloseTo(expected[b][t][h], org.assertj.core.api.Assertions.within(tolerance));
                }
            }
        }
    }

    /** Mean cosine over every token vector. */
    static double meanCosine(float[][][] a, float[][][] b) {
        double sum = 0;
        int count = 0;
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[i].length; j++) {
                sum += cosine(a[i][j], b[i][j]);
                count++;
            }
        }
        return sum / count;
    }

    static double cosine(float[] a, float[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }

    /** y = x W: x [batch, rows] a graph input, W [rows, cols] an initializer; opset 11. */
    static byte[] singleMatMul(float[] w, int rows, int cols) {
        return OnnxGraphs.toBytes(model(GraphProto.newBuilder()
                .addInput(input("x", -1, rows))
                .addInitializer(Tensors.ofFloats("W", new long[] {rows, cols}, w))
                .addNode(NodeProto.newBuilder().setOpType("MatMul").setName("mm").addInput("x").addInput("W").addOutput("y"))
                .addOutput(input("y", -1, cols)).build()));
    }

    static ModelProto model(GraphProto graph) {
        return ModelProto.newBuilder().setIrVersion(6).setProducerName("test")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(11))
                .setGraph(graph.toBuilder().setName("g")).build();
    }

    static ValueInfoProto input(String name, long... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (long dim : dims) {
            shape.addDim(dim < 0 ? TensorShapeProto.Dimension.newBuilder().setDimParam("batch")
                    : TensorShapeProto.Dimension.newBuilder().setDimValue(dim));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(DataType.FLOAT_VALUE).setShape(shape))).build();
    }

    /** Runs y = x W for a [batch, rows] x. */
    static float[][] runMatMul(byte[] model, float[][] x) throws OrtException {
        try (OrtSession session = ENVIRONMENT.createSession(model, new OrtSession.SessionOptions());
                OnnxTensor input = OnnxTensor.createTensor(ENVIRONMENT, x);
                OrtSession.Result result = session.run(Map.of("x", input))) {
            return (float[][]) result.get(0).getValue();
        }
    }

    static float[] randomWeights(int count, long seed) {
        Random random = new Random(seed);
        float[] w = new float[count];
        for (int i = 0; i < count; i++) {
            w[i] = (float) (random.nextGaussian() * 0.05);
        }
        return w;
    }
}
