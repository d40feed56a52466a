package dev.verdant.evaluation;

import java.util.Objects;

/** The result of one evaluation: a report, or why there is none. Never an exception. */
public sealed interface EvaluationOutcome permits EvaluationOutcome.Evaluated, EvaluationOutcome.Failed {

    record Evaluated(EvaluationReport report) implements EvaluationOutcome {
        public Evaluated {
            Objects.requireNonNull(report, "report");
        }
    }

    /**
     * @param reason  machine-readable cause
     * @param message one or two sentences for a person: what is wrong and what to do about it
     */
    record Failed(FailureReason reason, String message) implements EvaluationOutcome {
        public Failed {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(message, "message");
        }
    }
}
