package dev.verdant.onnx;

import java.util.Objects;

/** Outcome of inspecting an uploaded model: accepted with its facts, or rejected with a reason. */
public sealed interface Inspection permits Inspection.Accepted, Inspection.Rejected {

    record Accepted(ModelFacts facts) implements Inspection {
        public Accepted {
            Objects.requireNonNull(facts, "facts");
        }
    }

    /**
     * @param reason  machine-readable cause
     * @param message for a person: what is wrong with the file and what they can do about it
     */
    record Rejected(ReasonCode reason, String message) implements Inspection {
        public Rejected {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(message, "message");
        }
    }
}
