package dev.verdant.quantization;

import ai.onnx.proto.OnnxMl.ModelProto;

import java.util.List;
import java.util.Objects;

/** What {@link Quantizer} made of a model. */
public sealed interface QuantizationOutcome permits QuantizationOutcome.Quantized, QuantizationOutcome.Failed {

    /** The quantized model (not yet written) and what was done. */
    record Quantized(ModelProto model, Report report) implements QuantizationOutcome {
        public Quantized {
            Objects.requireNonNull(model, "model");
            Objects.requireNonNull(report, "report");
        }

        /** The model's metadata_props (verdant.mode, verdant.parameters, verdant.source-sha256, verdant.version...). */
        public java.util.Map<String, String> metadata() {
            java.util.Map<String, String> metadata = new java.util.LinkedHashMap<>();
            model.getMetadataPropsList().forEach(entry -> metadata.put(entry.getKey(), entry.getValue()));
            return metadata;
        }
    }

    /** Why nothing was produced. */
    record Failed(Reason reason, String message) implements QuantizationOutcome {
        public Failed {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(message, "message");
        }
    }

    enum Reason {
        /** Not a parseable ONNX model, or one without a graph. */
        CORRUPT_INPUT,
        /** No MatMul has a 2-D float initializer as its second input (or all were excluded). */
        NO_QUANTIZABLE_MATMUL,
        /** The default-domain opset is below 11 (DynamicQuantizeLinear), or the graph is quantized already. */
        UNSUPPORTED_OP,
        /** Weights stored outside the file (external data) are not read. */
        EXTERNAL_DATA,
        /** The mode cannot run with what was given (e.g. static-int8 without a tokenizer or calibration texts). */
        INVALID_REQUEST,
        /** Running the model on the calibration texts failed. */
        CALIBRATION_FAILED,
        /** The mode is not available in this build. */
        UNSUPPORTED_MODE
    }

    /**
     * @param quantizedMatMuls  names of the MatMul nodes now quantized (MatMulInteger, QDQ, MatMulNBits; fp16: converted)
     * @param quantizedGathers  names of the embedding Gathers now reading uint8 tables
     * @param excludedNodes     requested exclusions that matched a quantizable node
     * @param activationQuantizers activation quantizers added (DynamicQuantizeLinear or QuantizeLinear, one per distinct activation)
     * @param bytesBefore       serialized size of the input
     * @param bytesAfter        serialized size of the output
     */
    record Report(List<String> quantizedMatMuls, List<String> quantizedGathers, List<String> excludedNodes,
            int activationQuantizers, long bytesBefore, long bytesAfter) {
        public Report {
            quantizedMatMuls = List.copyOf(quantizedMatMuls);
            quantizedGathers = List.copyOf(quantizedGathers);
            excludedNodes = List.copyOf(excludedNodes);
        }
    }
}
