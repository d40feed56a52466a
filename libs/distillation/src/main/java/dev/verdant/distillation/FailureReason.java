package dev.verdant.distillation;

/** Why a distillation could not produce a student. */
public enum FailureReason {
    /** The teacher file cannot be read or is not an ONNX model. */
    MODEL_UNREADABLE,
    /** The teacher is not a BERT-shaped encoder this distiller can rebuild (or the request does not fit it). */
    UNSUPPORTED_ARCHITECTURE,
    /** The tokenizer cannot be read, or does not belong to the teacher. */
    TOKENIZER_UNUSABLE,
    /** The corpus is missing, unreadable or has too few sentences. */
    CORPUS_UNUSABLE,
    /** ONNX Runtime or PyTorch could not be started or failed while running. */
    RUNTIME_FAILED,
    /** Training diverged (loss not finite). */
    TRAINING_DIVERGED,
    /** The exported ONNX student disagrees with the trained one. */
    EXPORT_MISMATCH,
    /** Checkpoints or the output could not be written or read. */
    STORAGE_FAILED,
    /** The job was interrupted. */
    INTERRUPTED
}
