package dev.verdant.onnx;

/**
 * Why the inspector refused a model. Stable names: they travel in rejection events, and each is
 * also a value of the model-rejected event's reason (schemas/model-rejected.schema.json).
 */
public enum ReasonCode {
    /** The bytes could not be read (no file, a directory, an I/O error): not a verdict on the content. */
    STORAGE_ERROR,
    EMPTY_FILE,
    /** Larger than the configured limit (checked before a byte is parsed). */
    TOO_LARGE,
    /** Not a protobuf ModelProto, or one without an ONNX graph. */
    NOT_ONNX,
    /** Starts like an ONNX model but ends in the middle of a field: an interrupted upload or copy. */
    TRUNCATED,
    /** Messages nested deeper than protobuf's recursion limit (subgraphs in subgraphs...). */
    NESTING_TOO_DEEP,
    IR_VERSION_UNSUPPORTED,
    OPSET_UNSUPPORTED,
    /** Weights stored in files beside the model; Verdant accepts self-contained models only. */
    EXTERNAL_DATA,
    /** Structurally broken: no inputs/outputs, dangling references, names produced twice, tensors whose data does not match their dims. */
    GRAPH_INVALID,
    /** A valid ONNX graph, but not a transformer encoder. */
    NOT_AN_ENCODER,
    /** The inspector itself failed on this file: a Verdant defect, never the user's fault. */
    INSPECTION_FAILED
}
