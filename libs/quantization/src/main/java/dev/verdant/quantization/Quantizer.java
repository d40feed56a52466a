package dev.verdant.quantization;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.verdant.onnx.OnnxGraphs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * The one entry point for every quantization mode: the services and the CLI call this.
 *
 * <pre>
 *   QuantizationOutcome outcome = new Quantizer().quantize(model, QuantizationRequest.fromRecipeParams(params, tokenizer));
 *   if (outcome instanceof QuantizationOutcome.Quantized quantized) Quantizer.write(quantized, out);
 * </pre>
 *
 * <p>Every output carries in its ONNX metadata_props: verdant.mode, verdant.parameters,
 * verdant.source-sha256, verdant.version (Verdant's), verdant.quantizer (the mode's algorithm version) and
 * verdant.excluded-nodes. Bad models are a {@link QuantizationOutcome.Failed} with a reason code, never an
 * exception.
 */
public final class Quantizer {

    /** The modes, by name: dynamic-int8, static-int8, fp16, int4. */
    public static final List<String> MODES = Arrays.stream(QuantizationMode.values()).map(QuantizationMode::id).toList();

    /** Ops that show a model is quantized already. */
    static final Set<String> QUANTIZED_OPS = Set.of("MatMulInteger", "DynamicQuantizeLinear", "QLinearMatMul",
            "QuantizeLinear", "MatMulNBits", "DynamicQuantizeMatMul", "MatMulIntegerToFloat", "QAttention", "QGemm", "ConvInteger", "QLinearConv");
    static final Set<String> KNOWN_DOMAINS = Set.of("", "ai.onnx", "com.microsoft");

    /** Reads and quantizes {@code model}; an unreadable file is an IOException, a bad model a Failed. */
    public QuantizationOutcome quantize(Path model, QuantizationRequest request) throws IOException {
        return quantize(Files.readAllBytes(model), request);
    }

    public QuantizationOutcome quantize(byte[] source, QuantizationRequest request) {
        ModelProto model;
        try {
            model = ModelProto.parseFrom(source);
        } catch (InvalidProtocolBufferException e) {
            return failed(QuantizationOutcome.Reason.CORRUPT_INPUT, "not an ONNX model: " + e.getMessage());
        }
        if (!model.hasGraph() || model.getGraph().getNodeCount() == 0) {
            return failed(QuantizationOutcome.Reason.CORRUPT_INPUT,
                    "not an ONNX model: no graph or no nodes (" + source.length + " bytes)");
        }
        long opset = ModelSupport.defaultOpset(model);
        if (opset < DynamicInt8Quantizer.MIN_OPSET) {
            return failed(QuantizationOutcome.Reason.UNSUPPORTED_OP, "opset " + opset + " is too old: "
                    + DynamicInt8Quantizer.MIN_OPSET + " or higher is needed (re-export the model with a newer opset)");
        }
        for (NodeProto node : model.getGraph().getNodeList()) {
            String op = node.getOpType();
            if (QUANTIZED_OPS.contains(op)) {
                return failed(QuantizationOutcome.Reason.UNSUPPORTED_OP,
                        "the model is quantized already: node " + node.getName() + " is " + op + "; give the float model");
            }
            if (!KNOWN_DOMAINS.contains(node.getDomain())) {
                return failed(QuantizationOutcome.Reason.UNSUPPORTED_OP, "node " + node.getName() + " is "
                        + node.getDomain() + ":" + op + ", a custom op ONNX Runtime's CPU provider does not know;"
                        + " only standard ONNX and com.microsoft ops are supported");
            }
        }
        String smoothed = "";
        if (request.mode() == QuantizationMode.DYNAMIC_INT8 || request.mode() == QuantizationMode.STATIC_INT8) {
            try {
                Smoothing.Prepared prepared = Smoothing.prepare(model, request);
                model = prepared.model();
                smoothed = prepared.note();
            } catch (ActivationCalibrator.CalibrationException e) {
                if (request.mode() == QuantizationMode.STATIC_INT8) {
                    return failed(e.reason, e.getMessage());
                }
                // dynamic-int8 needs no texts: without smoothing it is still a good model; the reason is recorded.
                smoothed = ",smoothed=0(" + e.getMessage().replace(',', ';') + ")";
            } catch (ModelSupport.ExternalData e) {
                return failed(QuantizationOutcome.Reason.EXTERNAL_DATA, e.getMessage());
            }
        }
        QuantizationOutcome outcome = rewrite(model, source, request);
        String fused = "";
        if (request.fusion() && outcome instanceof QuantizationOutcome.Quantized) {
            QuantizationOutcome.Quantized quantized = (QuantizationOutcome.Quantized) outcome;
            SkipLayerNormFusion.Result norms = SkipLayerNormFusion.apply(quantized.model());
            AttentionFusion.Result attention = AttentionFusion.apply(norms.model());
            if (norms.fused() > 0 || attention.fused() > 0) {
                outcome = new QuantizationOutcome.Quantized(attention.model(), quantized.report());
                fused = (norms.fused() > 0 ? ",skipLayerNorm=" + norms.fused() : "")
                        + (attention.fused() > 0 ? ",attention=" + attention.fused() : "");
            }
        }
        return smoothed.isEmpty() && fused.isEmpty() ? outcome : ModelSupport.appendParameters(outcome, smoothed + fused);
    }

    private static QuantizationOutcome rewrite(ModelProto model, byte[] source, QuantizationRequest request) {
        try {
            switch (request.mode()) {
                case DYNAMIC_INT8:
                    return new DynamicInt8Quantizer().rewrite(model, source, request);
                case FP16:
                    return new Fp16Converter().rewrite(model, source, request);
                case INT4:
                    return new Int4Quantizer().rewrite(model, source, request);
                case STATIC_INT8:
                    return new StaticInt8Quantizer().rewrite(model, source, request);
                default:
                    return failed(QuantizationOutcome.Reason.UNSUPPORTED_MODE, "mode " + request.mode().id() + " is unknown");
            }
        } catch (ModelSupport.ExternalData e) {
            return failed(QuantizationOutcome.Reason.EXTERNAL_DATA, e.getMessage());
        }
    }

    /** Writes a quantized model; a Failed outcome is an IllegalArgumentException carrying its reason. */
    public static void write(QuantizationOutcome outcome, Path file) throws IOException {
        if (outcome instanceof QuantizationOutcome.Failed) {
            QuantizationOutcome.Failed failed = (QuantizationOutcome.Failed) outcome;
            throw new IllegalArgumentException("nothing to write: quantization failed (" + failed.reason() + "): "
                    + failed.message());
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        OnnxGraphs.write(((QuantizationOutcome.Quantized) outcome).model(), file);
    }

    /** Verdant's version, as written to verdant.version. */
    public static String verdantVersion() {
        return ModelSupport.verdantVersion();
    }

    static QuantizationOutcome.Failed failed(QuantizationOutcome.Reason reason, String message) {
        return new QuantizationOutcome.Failed(reason, message);
    }
}
