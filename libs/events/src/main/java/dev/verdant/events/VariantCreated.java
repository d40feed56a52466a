package dev.verdant.events;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** A technique service made one planned variant of a run. */
public record VariantCreated(String runId, String modelSha256, String variantId, Technique technique,
        Map<String, Object> parameters, String input, Artifact artifact, Artifact tokenizer, String service,
        Usage usage, List<String> notes, Instant createdAt) implements VerdantEvent {

    public VariantCreated {
        parameters = Map.copyOf(parameters);
        notes = List.copyOf(notes);
    }

    /**
     * {@code runId/variantId}: the variants of one run spread over the partitions, so several
     * evaluation (or technique) instances share one run's work; nothing needs them in order.
     */
    @Override
    public String partitionKey() {
        return runId + "/" + variantId;
    }
}
