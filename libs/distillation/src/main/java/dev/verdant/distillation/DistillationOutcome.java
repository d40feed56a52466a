package dev.verdant.distillation;

import java.nio.file.Path;

/** What a distillation gave: a verified student, or a reason it could not be made. */
public sealed interface DistillationOutcome permits DistillationOutcome.Distilled, DistillationOutcome.Failed {

    /**
     * @param model  the exported student ONNX file (the path the caller asked for)
     * @param report what was trained and measured
     */
    record Distilled(Path model, DistillationReport report) implements DistillationOutcome {
    }

    /**
     * @param reason  machine-readable cause (maps to a variant-failed reason)
     * @param message what went wrong and what to do, for a person
     */
    record Failed(FailureReason reason, String message) implements DistillationOutcome {
    }
}
