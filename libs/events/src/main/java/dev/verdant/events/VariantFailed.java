package dev.verdant.events;

import com.fasterxml.jackson.annotation.JsonValue;
import java.time.Instant;

/** A planned variant could not be made or evaluated; the run goes on without it. */
public record VariantFailed(String runId, String modelSha256, String variantId, Technique technique, Stage stage,
        String reason, String message, String service, Usage usage, Instant failedAt) implements VerdantEvent {

    @Override
    public String partitionKey() {
        return runId;
    }

    public enum Stage implements WireEnum {
        MAKE, EVALUATE;

        @JsonValue
        @Override
        public String wireName() {
            return WireEnum.of(this);
        }
    }
}
