package dev.verdant.quantization;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.verdant.onnx.OnnxGraphs;
import dev.verdant.onnx.Tensors;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Dynamic INT8 quantization of an ONNX model, with standard ops ONNX Runtime runs on CPU from
 * opset 11 (the same pattern as ONNX Runtime's own quantize_dynamic output).
 *
 * <p>Each MatMul whose second input is a 2-D float initializer W [in, out] becomes
 * <pre>
 *   x_q, x_scale, x_zp = DynamicQuantizeLinear(x)          (uint8, asymmetric per tensor; one per x)
 *   s                  = Mul(x_scale, w_scale)              (scalar x [out])
 *   acc                = MatMulInteger(x_q, W_q, x_zp)      (int32; W_q int8, zero point 0)
 *   y                  = Mul(Cast&lt;float&gt;(acc), s)
 * </pre>
 * since {@code x ~ x_scale (x_q - x_zp)} and {@code W_ij ~ w_scale_j W_q_ij}, so
 * {@code (xW)_j ~ x_scale w_scale_j sum_i (x_q_i - x_zp) W_q_ij}. y keeps the MatMul's output name,
 * so its consumers (the bias Add) are untouched. Weight scales: see {@link WeightQuantization}.
 *
 * <p>Each Gather (axis 0) over a float initializer table [vocab, hidden] reads an 8-bit copy instead (see
 * {@link GraphRewrite#quantizeEmbedding}): by default int8 with one scale per hidden column,
 * {@code y = Mul(Cast<float>(Gather(table_q, ids)), scales)}; or ONNX Runtime's per-tensor uint8,
 * {@code y = DequantizeLinear(Gather(table_q, ids), scale, 128)}. Float tables no longer read by anything are
 * dropped: that is what shrinks the file about 4x.
 */
public final class DynamicInt8Quantizer {

    /** Written to verdant.quantizer (the algorithm's version; verdant.version is Verdant's). */
    public static final String VERSION = "dynamic-int8/2";
    public static final String MODE = "dynamic-int8";
    static final int MIN_OPSET = 11;

    public QuantizationOutcome quantize(Path file, QuantizationOptions options) throws IOException {
        return quantize(Files.readAllBytes(file), options);
    }

    /**
     * This rewrite alone, with the Quantizer's checks: no smoothing (it needs a tokenizer) and no fusion. The pipeline
     * and the CLI call {@link Quantizer}, which adds both.
     */
    public QuantizationOutcome quantize(byte[] source, QuantizationOptions options) {
        return new Quantizer().quantize(source, QuantizationRequest.of(QuantizationMode.DYNAMIC_INT8).withOptions(options)
                .withSmoothing(0).withFusion(false));
    }

    /** The graph form of each quantized MatMul. */
    enum Form {
        /** Standard ops: DynamicQuantizeLinear (shared per activation) -> MatMulInteger -> Cast -> Mul. */
        MATMUL_INTEGER("matmulinteger"),
        /**
         * com.microsoft:DynamicQuantizeMatMul(x, W_q, w_scale, , bias) written directly, the bias Add folded in; the op
         * quantizes x itself, so Q, K and V each quantize the same activation.
         */
        DYNAMIC_QUANTIZE_MATMUL("dynamicquantizematmul");

        final String id;

        Form(String id) {
            this.id = id;
        }
    }

    private final Form form;

    public DynamicInt8Quantizer() {
        this(Form.MATMUL_INTEGER);
    }

    DynamicInt8Quantizer(Form form) {
        this.form = form;
    }

    QuantizationOutcome rewrite(ModelProto model, byte[] source, QuantizationRequest request) {
        QuantizationOptions options = request.options();
        GraphProto graph = model.getGraph();
        Map<String, List<NodeProto>> consumers = new HashMap<>();
        for (NodeProto node : graph.getNodeList()) {
            for (String input : node.getInputList()) {
                consumers.computeIfAbsent(input, k -> new ArrayList<>()).add(node);
            }
        }
        Set<NodeProto> absorbed = new java.util.HashSet<>();
        Map<String, TensorProto> initializers = new LinkedHashMap<>();
        for (TensorProto tensor : graph.getInitializerList()) {
            initializers.put(tensor.getName(), tensor);
        }
        Set<String> graphOutputs = new java.util.HashSet<>();
        graph.getOutputList().forEach(output -> graphOutputs.add(output.getName()));

        List<NodeProto> nodes = new ArrayList<>();
        List<TensorProto> added = new ArrayList<>();
        Map<String, String[]> activationQuantizers = new HashMap<>();
        List<String> matmuls = new ArrayList<>();
        List<String> gathers = new ArrayList<>();
        List<String> excluded = new ArrayList<>();
        Map<String, String[]> tables = new HashMap<>();
        int qmax = options.qmax();

        for (int index = 0; index < graph.getNodeCount(); index++) {
            NodeProto node = graph.getNode(index);
            if (absorbed.contains(node)) {
                continue;
            }
            String name = node.getName().isEmpty() ? node.getOpType() + "_" + index : node.getName();
            if (isQuantizableMatMul(node, initializers)) {
                if (options.excludedNodes().contains(node.getName())) {
                    excluded.add(node.getName());
                    nodes.add(node);
                    continue;
                }
                TensorProto weight = initializers.get(node.getInput(1));
                ModelSupport.requireInternal(weight);
                int rows = (int) weight.getDims(0);
                int cols = (int) weight.getDims(1);
                float[] w = Tensors.toFloats(weight);
                float[] scales = options.weightScales(w, rows, cols);
                byte[] q = WeightQuantization.quantizeColumns(w, rows, cols, scales, qmax);
                String prefix = name + "_quant";
                String wq = prefix + "/W_quantized";
                String ws = prefix + "/W_scale";
                added.add(bytes(wq, DataType.INT8_VALUE, new long[] {rows, cols}, q));
                added.add(Tensors.ofFloats(ws, new long[] {cols}, scales));

                String x = node.getInput(0);
                if (form == Form.DYNAMIC_QUANTIZE_MATMUL) {
                    NodeProto bias = GraphRewrite.biasAdd(node, consumers, initializers, graphOutputs, cols);
                    List<String> inputs = new ArrayList<>(List.of(x, wq, ws));
                    String output = node.getOutput(0);
                    if (bias != null) {
                        inputs.add("");
                        inputs.add(bias.getInput(0).equals(output) ? bias.getInput(1) : bias.getInput(0));
                        output = bias.getOutput(0);
                        absorbed.add(bias);
                    }
                    nodes.add(node("DynamicQuantizeMatMul", prefix + "/DynamicQuantizeMatMul", inputs, List.of(output))
                            .toBuilder().setDomain(Int4Quantizer.DOMAIN).build());
                    matmuls.add(name);
                    continue;
                }
                String[] xq = activationQuantizers.get(x);
                if (xq == null) {
                    String base = sanitize(x) + "_dql";
                    xq = new String[] {base + "/quantized", base + "/scale", base + "/zero_point"};
                    nodes.add(node("DynamicQuantizeLinear", base, List.of(x), List.of(xq)));
                    activationQuantizers.put(x, xq);
                }
                String scale = prefix + "/scale";
                String acc = prefix + "/int32";
                String accFloat = prefix + "/float";
                nodes.add(node("Mul", prefix + "/ScaleMul", List.of(xq[1], ws), List.of(scale)));
                nodes.add(node("MatMulInteger", prefix + "/MatMulInteger", List.of(xq[0], wq, xq[2]), List.of(acc)));
                nodes.add(node("Cast", prefix + "/Cast", List.of(acc), List.of(accFloat)).toBuilder()
                        .addAttribute(AttributeProto.newBuilder().setName("to")
                                .setType(AttributeProto.AttributeType.INT).setI(DataType.FLOAT_VALUE))
                        .build());
                nodes.add(node("Mul", prefix + "/OutputMul", List.of(accFloat, scale), List.of(node.getOutput(0))));
                matmuls.add(name);
            } else if (options.quantizeEmbeddings() && isEmbeddingGather(node, initializers)) {
                if (options.excludedNodes().contains(node.getName())) {
                    excluded.add(node.getName());
                    nodes.add(node);
                    continue;
                }
                GraphRewrite.quantizeEmbedding(node, name, initializers.get(node.getInput(0)), tables, nodes, added, options);
                gathers.add(name);
            } else {
                nodes.add(node);
            }
        }
        if (matmuls.isEmpty()) {
            return new QuantizationOutcome.Failed(QuantizationOutcome.Reason.NO_QUANTIZABLE_MATMUL,
                    "no MatMul has a 2-D float initializer as its second input"
                            + (excluded.isEmpty() ? "" : " outside the excluded nodes " + excluded));
        }

        // Keep initializers still read by a node or exposed as graph outputs; then the new ones.
        Set<String> read = new java.util.HashSet<>(graphOutputs);
        for (NodeProto node : nodes) {
            read.addAll(node.getInputList());
        }
        GraphProto.Builder rewritten = graph.toBuilder().clearNode().addAllNode(nodes).clearInitializer();
        for (TensorProto tensor : graph.getInitializerList()) {
            if (read.contains(tensor.getName())) {
                rewritten.addInitializer(tensor);
            }
        }
        rewritten.addAllInitializer(added);
        // Graph inputs that named dropped initializers (IR < 4 style) would dangle: drop them too.
        Set<String> kept = new java.util.HashSet<>();
        rewritten.getInitializerList().forEach(t -> kept.add(t.getName()));
        List<ai.onnx.proto.OnnxMl.ValueInfoProto> inputs = new ArrayList<>();
        for (var input : graph.getInputList()) {
            if (!initializers.containsKey(input.getName()) || kept.contains(input.getName())) {
                inputs.add(input);
            }
        }
        rewritten.clearInput().addAllInput(inputs);

        ModelProto.Builder out = model.toBuilder().setGraph(rewritten);
        if (form == Form.DYNAMIC_QUANTIZE_MATMUL && ModelSupport.opset(model, Int4Quantizer.DOMAIN) == 0) {
            out.addOpsetImport(OperatorSetIdProto.newBuilder().setDomain(Int4Quantizer.DOMAIN).setVersion(1));
        }
        ModelSupport.stamp(out, model, QuantizationMode.DYNAMIC_INT8, VERSION,
                request.describe() + (form == Form.MATMUL_INTEGER ? "" : ",form=" + form.id), source, excluded);
        ModelProto result = out.build();
        long after = result.getSerializedSize();
        return new QuantizationOutcome.Quantized(result, new QuantizationOutcome.Report(matmuls, gathers, excluded,
                activationQuantizers.size(), source.length, after));
    }

    /** Writes a quantized model (a convenience over {@link OnnxGraphs#write}). */
    public static void write(QuantizationOutcome.Quantized quantized, Path file) throws IOException {
        Quantizer.write(quantized, file);
    }

    private static boolean isQuantizableMatMul(NodeProto node, Map<String, TensorProto> initializers) {
        if (!node.getOpType().equals("MatMul") || !isDefaultDomain(node) || node.getInputCount() != 2) {
            return false;
        }
        TensorProto weight = initializers.get(node.getInput(1));
        return weight != null && weight.getDataType() == DataType.FLOAT_VALUE && weight.getDimsCount() == 2
                && !initializers.containsKey(node.getInput(0));
    }

    private static boolean isEmbeddingGather(NodeProto node, Map<String, TensorProto> initializers) {
        if (!node.getOpType().equals("Gather") || !isDefaultDomain(node) || node.getInputCount() != 2) {
            return false;
        }
        for (AttributeProto attribute : node.getAttributeList()) {
            if (attribute.getName().equals("axis") && attribute.getI() != 0) {
                return false;
            }
        }
        TensorProto table = initializers.get(node.getInput(0));
        return table != null && table.getDataType() == DataType.FLOAT_VALUE && table.getDimsCount() == 2
                && !initializers.containsKey(node.getInput(1));
    }

    private static boolean isDefaultDomain(NodeProto node) {
        return node.getDomain().isEmpty() || node.getDomain().equals("ai.onnx");
    }



    private static NodeProto node(String op, String name, List<String> inputs, List<String> outputs) {
        return NodeProto.newBuilder().setOpType(op).setName(name).addAllInput(inputs).addAllOutput(outputs).build();
    }

    private static TensorProto bytes(String name, int type, long[] dims, byte[] values) {
        TensorProto.Builder builder = TensorProto.newBuilder().setName(name).setDataType(type)
                .setRawData(ByteString.copyFrom(values));
        for (long dim : dims) {
            builder.addDims(dim);
        }
        return builder.build();
    }


    private static String sanitize(String name) {
        return name.isEmpty() ? "tensor" : name;
    }

}
