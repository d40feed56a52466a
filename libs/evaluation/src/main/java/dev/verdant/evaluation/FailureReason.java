package dev.verdant.evaluation;

/** Why an evaluation produced no report: machine-readable, paired with a message for a person. */
public enum FailureReason {
    /** A setting is out of range (threads, max sequence length, pairs, latency runs). */
    INVALID_REQUEST,
    /** The model (or baseline) file is missing or cannot be read. */
    MODEL_UNREADABLE,
    /** The file is not a valid ONNX model, or ONNX Runtime refuses to load it. */
    MODEL_MALFORMED,
    /** Valid ONNX, but not an encoder Verdant can feed (inputs) or read (a [batch, sequence, hidden] output). */
    MODEL_UNSUPPORTED,
    /** The tokenizer.json is missing or cannot be read. */
    TOKENIZER_UNREADABLE,
    /** The tokenizer.json is not a tokenizer the HuggingFace tokenizers library can load. */
    TOKENIZER_MALFORMED,
    /** The tokenizer produces token ids (or token types) the model has no embedding for. */
    TOKENIZER_MISMATCH,
    /** The baseline cannot be compared with the model (different embedding width). */
    BASELINE_INCOMPATIBLE,
    /** The STS data file is missing or cannot be read. */
    DATASET_UNREADABLE,
    /** The STS data file has no pairs. */
    DATASET_EMPTY,
    /** The STS data file has a line that is not "score TAB sentence1 TAB sentence2". */
    DATASET_MALFORMED,
    /** ONNX Runtime failed while running the model. */
    INFERENCE_FAILED,
    /** The model ran but its embeddings are unusable: NaN or infinite values, or all similarities equal. */
    DEGENERATE_OUTPUT,
    /** A native library (ONNX Runtime, tokenizers) could not be loaded on this machine. */
    RUNTIME_UNAVAILABLE,
    /** A defect in Verdant itself. */
    INTERNAL_ERROR
}
