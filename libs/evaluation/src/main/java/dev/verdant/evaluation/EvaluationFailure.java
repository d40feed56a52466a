package dev.verdant.evaluation;

/**
 * Carries a {@link EvaluationOutcome.Failed} out of the depths of an evaluation to
 * {@link Evaluator}, which turns it back into a value. Never leaves this package.
 */
final class EvaluationFailure extends Exception {
    private final FailureReason reason;

    EvaluationFailure(FailureReason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    FailureReason reason() {
        return reason;
    }

    EvaluationOutcome.Failed toOutcome() {
        return new EvaluationOutcome.Failed(reason, getMessage());
    }
}
