package dev.verdant.quantization;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

class DynamicInt8QuantizerTest {

    private static OrtEnvironment environment;
    private final DynamicInt8Quantizer quantizer = new DynamicInt8Quantizer();

    @BeforeAll
    static void start() {
        environment = OrtEnvironment.getEnvironment();
    }

    private static TinyBertBuilder tiny() {
        return TinyBertBuilder.tiny().layers(2).hidden(64).heads(4).ffn(128).vocabulary(200).seed(3);
    }

    @Test
    void tinyBertBecomesTheOnnxRuntimePatternAndStaysCloseToFp32() throws OrtException {
        byte[] fp32 = tiny().toBytes();
        QuantizationOutcome.Quantized quantized = quantized(quantizer.quantize(fp32, QuantizationOptions.defaults()));
        ModelProto model = quantized.model();
        Map<String, Long> ops = model.getGraph().getNodeList().stream()
                .collect(Collectors.groupingBy(NodeProto::getOpType, Collectors.counting()));

        // 6 weight MatMuls a layer (Q, K, V, attention output, FFN in, FFN out); the 2 attention MatMuls stay float.
        assertThat(ops.get("MatMulInteger")).isEqualTo(12L);
        assertThat(ops.get("MatMul")).isEqualTo(4L);
        // Q, K and V share one DynamicQuantizeLinear: 4 a layer.
        assertThat(ops.get("DynamicQuantizeLinear")).isEqualTo(8L);
        assertThat(quantized.report().activationQuantizers()).isEqualTo(8);
        assertThat(quantized.report().quantizedMatMuls()).hasSize(12);
        assertThat(quantized.report().quantizedGathers()).hasSize(3);
        // Embedding tables uint8 per table (the default, ONNX Runtime's form): Gather -> DequantizeLinear.
        assertThat(ops.get("DequantizeLinear")).isEqualTo(3L);
        assertThat(model.getGraph().getInitializerList()).noneMatch(t -> t.getName().equals("embeddings.word_embeddings.weight")
                && t.getDataType() == DataType.FLOAT_VALUE);
        assertThat(quantized.report().bytesBefore()).isEqualTo(fp32.length);
        // Tiny graphs carry biases and LayerNorm weights in float too: well under half, not a quarter.
        assertThat(quantized.report().bytesAfter()).isLessThan(fp32.length / 2);

        Random random = new Random(11);
        long[][] ids = new long[4][12];
        long[][] mask = new long[4][12];
        for (int b = 0; b < 4; b++) {
            for (int s = 0; s < 12; s++) {
                ids[b][s] = random.nextInt(200);
                mask[b][s] = s < 12 - b ? 1 : 0;
            }
        }
        float[][][] expected = run(fp32, ids, mask);
        float[][][] actual = run(OnnxGraphs.toBytes(model), ids, mask);
        assertThat(actual.length).isEqualTo(4);
        assertThat(actual[0].length).isEqualTo(12);
        assertThat(actual[0][0].length).isEqualTo(64);
        double sum = 0;
        int count = 0;
        for (int b = 0; b < 4; b++) {
            for (int s = 0; s < 12; s++) {
                double cosine = cosine(expected[b][s], actual[b][s]);
                assertThat(cosine).isGreaterThan(0.98);
                sum += cosine;
                count++;
            }
        }
        assertThat(sum / count).isGreaterThan(0.99);
    }

    @Test
    void dynamicQuantizeMatMulFormFoldsTheBiasAndComputesTheSame() throws Exception {
        byte[] fp32 = tiny().toBytes();
        QuantizationRequest request = QuantizationRequest.of(QuantizationMode.DYNAMIC_INT8);
        ModelProto standard = quantized(new DynamicInt8Quantizer().rewrite(ModelProto.parseFrom(fp32), fp32, request)).model();
        QuantizationOutcome.Quantized op = quantized(new DynamicInt8Quantizer(DynamicInt8Quantizer.Form.DYNAMIC_QUANTIZE_MATMUL)
                .rewrite(ModelProto.parseFrom(fp32), fp32, request));
        Map<String, Long> ops = op.model().getGraph().getNodeList().stream()
                .collect(Collectors.groupingBy(NodeProto::getOpType, Collectors.counting()));
        assertThat(ops.get("DynamicQuantizeMatMul")).isEqualTo(12L);
        assertThat(ops).doesNotContainKeys("DynamicQuantizeLinear", "MatMulInteger");
        long fp32Adds = tiny().build().getGraph().getNodeList().stream().filter(n -> n.getOpType().equals("Add")).count();
        assertThat(ops.get("Add")).isEqualTo(fp32Adds - 12); // every weight MatMul's bias folded in
        assertThat(op.model().getGraph().getNodeList()).filteredOn(n -> n.getOpType().equals("DynamicQuantizeMatMul"))
                .allMatch(n -> n.getDomain().equals("com.microsoft") && n.getInputCount() == 5);
        assertThat(op.metadata().get("verdant.parameters")).contains("form=dynamicquantizematmul");

        long[][] ids = TinyModels.ids(3, 9, 5);
        long[][] mask = TinyModels.ones(3, 9);
        float[][][] a = TinyModels.run(OnnxGraphs.toBytes(standard), ids, mask);
        float[][][] b = TinyModels.run(OnnxGraphs.toBytes(op.model()), ids, mask);
        for (int i = 0; i < a.length; i++) {
            for (int t = 0; t < a[i].length; t++) {
                assertThat(TinyModels.cosine(a[i][t], b[i][t])).isGreaterThan(0.9999);
            }
        }
    }

    @Test
    void singleMatMulWeightsAndScalesAreStoredExactly() throws OrtException {
        float[] w = {1.27f, -254f, -0.6f, 100f}; // W [2, 2]: column 1 has a 200x larger maximum
        QuantizationOutcome.Quantized quantized = quantized(quantizer.quantize(singleMatMul(w),
                QuantizationOptions.defaults().withMseScales(false)));
        Map<String, TensorProto> initializers = quantized.model().getGraph().getInitializerList().stream()
                .collect(Collectors.toMap(TensorProto::getName, t -> t));

        TensorProto q = initializers.get("mm_quant/W_quantized");
        assertThat(q.getDataType()).isEqualTo(DataType.INT8_VALUE);
        assertThat(q.getRawData().toByteArray()).containsExactly(127, -127, -60, 50);
        assertThat(Tensors.toFloats(initializers.get("mm_quant/W_scale"))).containsExactly(1.27f / 127, 254f / 127);
        assertThat(initializers).doesNotContainKey("W");
        NodeProto matMulInteger = quantized.model().getGraph().getNodeList().stream()
                .filter(n -> n.getOpType().equals("MatMulInteger")).findFirst().orElseThrow();
        assertThat(matMulInteger.getInputCount()).isEqualTo(3); // no weight zero point: 0

        // x = [1, 0.5] -> x W = [1.27 - 0.3, -254 + 50] = [0.97, -204]
        try (OrtSession session = environment.createSession(OnnxGraphs.toBytes(quantized.model()), new OrtSession.SessionOptions());
                OnnxTensor x = OnnxTensor.createTensor(environment, new float[][] {{1f, 0.5f}});
                OrtSession.Result result = session.run(Map.of("x", x))) {
            float[][] y = (float[][]) result.get(0).getValue();
            assertThat((double) y[0][0]).isCloseTo(0.97, org.assertj.core.data.Offset.offset(0.02));
            assertThat((double) y[0][1]).isCloseTo(-204, org.assertj.core.data.Offset.offset(2.0));
        }
    }

    /** ids [n] -> Gather(table [rows, cols]) -> y [n, cols]; opset 11. */
    private static byte[] embedding(float[] table, int rows, int cols) {
        ValueInfoProto ids = ValueInfoProto.newBuilder().setName("ids").setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(DataType.INT64_VALUE).setShape(TensorShapeProto.newBuilder()
                        .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("n"))))).build();
        return OnnxGraphs.toBytes(model(GraphProto.newBuilder().addInput(ids)
                .addInitializer(Tensors.ofFloats("table", new long[] {rows, cols}, table))
                .addNode(NodeProto.newBuilder().setOpType("Gather").setName("lookup").addInput("table").addInput("ids").addOutput("y"))
                // a MatMul, so that the model has something the mode requires
                .addInitializer(Tensors.ofFloats("W", new long[] {cols, 2}, new float[cols * 2]))
                .addNode(NodeProto.newBuilder().setOpType("MatMul").setName("mm").addInput("y").addInput("W").addOutput("z"))
                .addOutput(input("y", -1, cols)).addOutput(input("z", -1, 2)).build()));
    }

    @Test
    void perColumnEmbeddingsGetOneScalePerHiddenColumnAndOnnxRuntimeReadsThemBack() throws OrtException {
        int rows = 6;
        int cols = 3;
        float[] table = new float[rows * cols];
        Random random = new Random(5);
        for (int i = 0; i < table.length; i++) {
            table[i] = (float) random.nextGaussian() * 0.02f;
        }
        table[4 * cols + 1] = 1.5f; // column 1 holds an outlier, as BERT's embedding tables do
        QuantizationOutcome.Quantized quantized = quantized(quantizer.quantize(embedding(table, rows, cols),
                QuantizationOptions.defaults().withPerColumnEmbeddings(true).withMseScales(false)));
        Map<String, TensorProto> initializers = quantized.model().getGraph().getInitializerList().stream()
                .collect(Collectors.toMap(TensorProto::getName, t -> t));
        TensorProto q = initializers.get("table_quantized");
        assertThat(q.getDataType()).isEqualTo(DataType.INT8_VALUE);
        assertThat(q.getDimsList()).containsExactly((long) rows, (long) cols);
        float[] scales = Tensors.toFloats(initializers.get("table_quantized/scale"));
        assertThat(scales).containsExactly(WeightQuantization.columnScales(table, rows, cols, 127, false));
        assertThat(scales[1]).isEqualTo(1.5f / 127);
        assertThat(scales[0]).isLessThan(scales[1] / 10); // the other columns keep a fine step
        assertThat(quantized.model().getGraph().getNodeList().stream().map(NodeProto::getOpType))
                .contains("Gather", "Cast", "Mul").doesNotContain("DequantizeLinear");
        assertThat(quantized.metadata().get("verdant.parameters")).contains("embeddings=int8-per-column");

        long[] ids = {4, 0, 5, 4};
        try (OrtSession session = environment.createSession(OnnxGraphs.toBytes(quantized.model()), new OrtSession.SessionOptions());
                OnnxTensor input = OnnxTensor.createTensor(environment, ids);
                OrtSession.Result result = session.run(Map.of("ids", input))) {
            float[][] y = (float[][]) result.get("y").orElseThrow().getValue();
            byte[] stored = q.getRawData().toByteArray();
            for (int n = 0; n < ids.length; n++) {
                for (int j = 0; j < cols; j++) {
                    int index = (int) ids[n] * cols + j;
                    assertThat(y[n][j]).isEqualTo(stored[index] * scales[j]);                       // q x scale_j
                    assertThat(Math.abs(y[n][j] - table[index])).isLessThanOrEqualTo(scales[j] / 2 * 1.0001f); // round trip
                }
            }
        }
    }

    @Test
    void perTensorEmbeddingsAreOnnxRuntimesUint8Form() {
        float[] table = {0.1f, -0.2f, 0.3f, 1.0f, 0.0f, -0.5f};
        QuantizationOutcome.Quantized quantized = quantized(quantizer.quantize(embedding(table, 2, 3),
                QuantizationOptions.defaults().withPerColumnEmbeddings(false)));
        Map<String, TensorProto> initializers = quantized.model().getGraph().getInitializerList().stream()
                .collect(Collectors.toMap(TensorProto::getName, t -> t));
        assertThat(initializers.get("table_quantized").getDataType()).isEqualTo(DataType.UINT8_VALUE);
        assertThat(Tensors.toFloats(initializers.get("table_quantized/scale"))).containsExactly(2 * 1.0f / 255);
        assertThat(quantized.model().getGraph().getNodeList().stream().map(NodeProto::getOpType)).contains("DequantizeLinear");
        assertThat(quantized.metadata().get("verdant.parameters")).contains("embeddings=uint8-per-tensor");
    }

    @Test
    void perTensorGivesOneScale() {
        QuantizationOutcome.Quantized quantized = quantized(quantizer.quantize(singleMatMul(new float[] {1.27f, -254f, -0.6f, 100f}),
                QuantizationOptions.defaults().withPerTensor(true).withMseScales(false)));
        TensorProto scales = quantized.model().getGraph().getInitializerList().stream()
                .filter(t -> t.getName().equals("mm_quant/W_scale")).findFirst().orElseThrow();
        assertThat(Tensors.toFloats(scales)).containsExactly(2f, 2f);
    }

    @Test
    void excludedNodesStayFloat() {
        ModelProto fp32 = tiny().build();
        String ffnOut = fp32.getGraph().getNodeList().stream().filter(n -> n.getOpType().equals("MatMul"))
                .map(NodeProto::getName).filter(name -> name.contains("output")).findFirst().orElseThrow();
        QuantizationOutcome.Quantized quantized = quantized(quantizer.quantize(OnnxGraphs.toBytes(fp32),
                QuantizationOptions.defaults().withExcludedNodes(Set.of(ffnOut, "/embeddings/word_embeddings/Gather"))));

        assertThat(quantized.report().excludedNodes()).containsExactlyInAnyOrder(ffnOut, "/embeddings/word_embeddings/Gather");
        assertThat(quantized.report().quantizedMatMuls()).hasSize(11).doesNotContain(ffnOut);
        assertThat(quantized.report().quantizedGathers()).hasSize(2);
        assertThat(quantized.model().getGraph().getNodeList())
                .anyMatch(n -> n.getName().equals(ffnOut) && n.getOpType().equals("MatMul"));
    }

    @Test
    void metadataRecordsModeParametersSourceAndVersion() {
        byte[] fp32 = tiny().toBytes();
        QuantizationOutcome.Quantized quantized = quantized(quantizer.quantize(fp32, QuantizationOptions.defaults()));
        Map<String, String> metadata = quantized.model().getMetadataPropsList().stream()
                .collect(Collectors.toMap(StringStringEntryProto::getKey, StringStringEntryProto::getValue));

        assertThat(metadata).containsEntry("verdant.mode", "dynamic-int8")
                .containsEntry("verdant.quantizer", DynamicInt8Quantizer.VERSION)
                .containsEntry("verdant.version", Quantizer.verdantVersion())
                .containsEntry("verdant.source-sha256", ModelSupport.sha256(fp32));
        assertThat(metadata.get("verdant.parameters")).contains("per-column").contains("full-127");
    }

    @Test
    void anMlpWithoutInitializersHasNothingToQuantize() {
        ModelProto model = model(GraphProto.newBuilder()
                .addInput(input("x", 1, 2)).addInput(input("w", 2, 2))
                .addNode(NodeProto.newBuilder().setOpType("MatMul").setName("mm").addInput("x").addInput("w").addOutput("y"))
                .addNode(NodeProto.newBuilder().setOpType("Relu").setName("relu").addInput("y").addOutput("z"))
                .addOutput(input("z", 1, 2)).build());
        QuantizationOutcome outcome = quantizer.quantize(OnnxGraphs.toBytes(model), QuantizationOptions.defaults());
        assertThat(outcome).isInstanceOfSatisfying(QuantizationOutcome.Failed.class,
                failed -> assertThat(failed.reason()).isEqualTo(QuantizationOutcome.Reason.NO_QUANTIZABLE_MATMUL));
    }

    @Test
    void corruptBytesAreRefused() {
        byte[] bytes = tiny().toBytes();
        byte[] truncated = java.util.Arrays.copyOf(bytes, bytes.length / 2);
        for (byte[] input : new byte[][] {truncated, "not a model at all".getBytes(), new byte[0]}) {
            QuantizationOutcome outcome = quantizer.quantize(input, QuantizationOptions.defaults());
            assertThat(outcome).isInstanceOfSatisfying(QuantizationOutcome.Failed.class,
                    failed -> assertThat(failed.reason()).isEqualTo(QuantizationOutcome.Reason.CORRUPT_INPUT));
        }
    }

    @Test
    void aQuantizedModelIsNotQuantizedTwice() {
        ModelProto once = quantized(quantizer.quantize(tiny().toBytes(), QuantizationOptions.defaults())).model();
        QuantizationOutcome twice = quantizer.quantize(OnnxGraphs.toBytes(once), QuantizationOptions.defaults());
        assertThat(twice).isInstanceOfSatisfying(QuantizationOutcome.Failed.class,
                failed -> assertThat(failed.reason()).isEqualTo(QuantizationOutcome.Reason.UNSUPPORTED_OP));
    }

    static QuantizationOutcome.Quantized quantized(QuantizationOutcome outcome) {
        assertThat(outcome).as("outcome %s", outcome).isInstanceOf(QuantizationOutcome.Quantized.class);
        return (QuantizationOutcome.Quantized) outcome;
    }

    /** y = x W, x [batch, 2] a graph input, W [2, 2] an initializer; opset 11. */
    static byte[] singleMatMul(float[] w) {
        return OnnxGraphs.toBytes(model(GraphProto.newBuilder()
                .addInput(input("x", -1, 2))
                .addInitializer(Tensors.ofFloats("W", new long[] {2, 2}, w))
                .addNode(NodeProto.newBuilder().setOpType("MatMul").setName("mm").addInput("x").addInput("W").addOutput("y"))
                .addOutput(input("y", -1, 2)).build()));
    }

    private static ModelProto model(GraphProto graph) {
        return ModelProto.newBuilder().setIrVersion(6).setProducerName("test")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(11))
                .setGraph(graph.toBuilder().setName("g")).build();
    }

    private static ValueInfoProto input(String name, long... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (long dim : dims) {
            shape.addDim(dim < 0 ? TensorShapeProto.Dimension.newBuilder().setDimParam("batch")
                    : TensorShapeProto.Dimension.newBuilder().setDimValue(dim));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(DataType.FLOAT_VALUE).setShape(shape))).build();
    }

    private static float[][][] run(byte[] model, long[][] ids, long[][] mask) throws OrtException {
        long[][] types = new long[ids.length][ids[0].length];
        try (OrtSession session = environment.createSession(model, new OrtSession.SessionOptions());
                OnnxTensor a = OnnxTensor.createTensor(environment, ids);
                OnnxTensor b = OnnxTensor.createTensor(environment, mask);
                OnnxTensor c = OnnxTensor.createTensor(environment, types);
                OrtSession.Result result = session.run(Map.of("input_ids", a, "attention_mask", b, "token_type_ids", c))) {
            return (float[][][]) result.get("last_hidden_state").orElseThrow().getValue();
        }
    }

    private static double cosine(float[] a, float[] b) {
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
}
