package dev.verdant.quantization;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;
import dev.verdant.onnx.Tensors;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;

/** Graph-building helpers and the output metadata shared by every mode. */
final class ModelSupport {

    static final String KEY_MODE = "verdant.mode";
    static final String KEY_PARAMETERS = "verdant.parameters";
    static final String KEY_SOURCE = "verdant.source-sha256";
    static final String KEY_VERSION = "verdant.version";
    static final String KEY_QUANTIZER = "verdant.quantizer";
    static final String KEY_EXCLUDED = "verdant.excluded-nodes";

    private static volatile String version;

    private ModelSupport() {
    }

    /** Verdant's version (the Maven project version this library was built as). */
    static String verdantVersion() {
        String known = version;
        if (known == null) {
            Properties properties = new Properties();
            try (InputStream in = ModelSupport.class.getResourceAsStream("verdant-quantization.properties")) {
                if (in != null) {
                    properties.load(in);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            String value = properties.getProperty("version", "unknown");
            known = value.startsWith("${") ? "unknown" : value;
            version = known;
        }
        return known;
    }

    /** Replaces any verdant.* metadata with this quantization's. */
    static void stamp(ModelProto.Builder out, ModelProto source, QuantizationMode mode, String quantizer,
            String parameters, byte[] sourceBytes, Collection<String> excluded) {
        List<StringStringEntryProto> metadata = new ArrayList<>();
        for (StringStringEntryProto entry : source.getMetadataPropsList()) {
            if (!entry.getKey().startsWith("verdant.")) {
                metadata.add(entry);
            }
        }
        metadata.add(entry(KEY_MODE, mode.id()));
        metadata.add(entry(KEY_PARAMETERS, parameters));
        metadata.add(entry(KEY_SOURCE, sha256(sourceBytes)));
        metadata.add(entry(KEY_VERSION, verdantVersion()));
        metadata.add(entry(KEY_QUANTIZER, quantizer));
        metadata.add(entry(KEY_EXCLUDED, String.join(",", excluded)));
        out.clearMetadataProps().addAllMetadataProps(metadata);
    }

    /** The outcome with {@code suffix} appended to verdant.parameters (a Failed is returned as is). */
    static QuantizationOutcome appendParameters(QuantizationOutcome outcome, String suffix) {
        if (!(outcome instanceof QuantizationOutcome.Quantized)) {
            return outcome;
        }
        QuantizationOutcome.Quantized quantized = (QuantizationOutcome.Quantized) outcome;
        ModelProto.Builder model = quantized.model().toBuilder();
        for (int i = 0; i < model.getMetadataPropsCount(); i++) {
            if (model.getMetadataProps(i).getKey().equals(KEY_PARAMETERS)) {
                model.setMetadataProps(i, entry(KEY_PARAMETERS, model.getMetadataProps(i).getValue() + suffix));
            }
        }
        ModelProto result = model.build();
        QuantizationOutcome.Report report = quantized.report();
        return new QuantizationOutcome.Quantized(result, new QuantizationOutcome.Report(report.quantizedMatMuls(),
                report.quantizedGathers(), report.excludedNodes(), report.activationQuantizers(), report.bytesBefore(),
                result.getSerializedSize()));
    }

    static long defaultOpset(ModelProto model) {
        return opset(model, "");
    }

    static long opset(ModelProto model, String domain) {
        for (OperatorSetIdProto opset : model.getOpsetImportList()) {
            String d = opset.getDomain().equals("ai.onnx") ? "" : opset.getDomain();
            if (d.equals(domain)) {
                return opset.getVersion();
            }
        }
        return 0;
    }

    static boolean isDefaultDomain(NodeProto node) {
        return node.getDomain().isEmpty() || node.getDomain().equals("ai.onnx");
    }

    static NodeProto node(String op, String name, List<String> inputs, List<String> outputs) {
        return NodeProto.newBuilder().setOpType(op).setName(name).addAllInput(inputs).addAllOutput(outputs).build();
    }

    static AttributeProto intAttribute(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    static NodeProto cast(String name, String input, String output, int to) {
        return node("Cast", name, List.of(input), List.of(output)).toBuilder().addAttribute(intAttribute("to", to)).build();
    }

    static TensorProto bytes(String name, int type, long[] dims, byte[] values) {
        TensorProto.Builder builder = TensorProto.newBuilder().setName(name).setDataType(type)
                .setRawData(ByteString.copyFrom(values));
        for (long dim : dims) {
            builder.addDims(dim);
        }
        return builder.build();
    }

    static StringStringEntryProto entry(String key, String value) {
        return StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
    }

    static void requireInternal(TensorProto tensor) {
        if (Tensors.isExternal(tensor)) {
            throw new ExternalData("initializer " + tensor.getName() + " is stored in external data ("
                    + Tensors.externalLocation(tensor).orElse("?") + "): give a self-contained model");
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An initializer in external data: reported as {@link QuantizationOutcome.Reason#EXTERNAL_DATA}. */
    static final class ExternalData extends RuntimeException {
        ExternalData(String message) {
            super(message);
        }
    }
}
