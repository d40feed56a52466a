package dev.verdant.events;

import java.time.Instant;

/** An upload could not start a run; the message says what is wrong and what to do. */
public record ModelRejected(String runId, String modelSha256, Upload upload, Reason reason, String message,
        Instant rejectedAt) implements VerdantEvent {

    @Override
    public String partitionKey() {
        return upload.key();
    }

    /** Why an upload was refused. The wire form is the constant's name. */
    public enum Reason {
        INVALID_KEY, EMPTY_FILE, TOO_LARGE, NOT_ONNX, TRUNCATED, NESTING_TOO_DEEP, IR_VERSION_UNSUPPORTED,
        OPSET_UNSUPPORTED, GRAPH_INVALID, EXTERNAL_DATA, NOT_AN_ENCODER, TOKENIZER_MISSING, TOKENIZER_INVALID,
        TOKENIZER_MISMATCH, RECIPE_INVALID, STORAGE_ERROR,
        /** Verdant itself failed on this upload: a defect to report, never the user's fault. */
        INSPECTION_FAILED
    }
}
