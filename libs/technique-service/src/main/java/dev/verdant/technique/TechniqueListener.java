package dev.verdant.technique;

import dev.verdant.messaging.JobTelemetry;
import dev.verdant.messaging.TechniqueAdapter;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * One record at a time per channel; the offset is committed after every variant the record asks for
 * is made, published and marked (the shared core does the work, {@link TechniqueAdapter} the sending).
 * Each record is handled in the trace its producer sent, so the jobs and events it leads to continue it.
 */
@ApplicationScoped
class TechniqueListener {
    private final TechniqueAdapter adapter;
    private final JobTelemetry telemetry;

    TechniqueListener(TechniqueAdapter adapter, JobTelemetry telemetry) {
        this.adapter = adapter;
        this.telemetry = telemetry;
    }

    @Incoming("models-ingested")
    @Blocking(ordered = true)
    public void onModelIngested(ConsumerRecord<String, byte[]> record) {
        telemetry.inTraceOf(record, () -> adapter.onModelIngested(record));
    }

    @Incoming("variants-created")
    @Blocking(ordered = true)
    public void onVariantCreated(ConsumerRecord<String, byte[]> record) {
        telemetry.inTraceOf(record, () -> adapter.onVariantCreated(record));
    }

    @Incoming("variants-failed")
    @Blocking(ordered = true)
    public void onVariantFailed(ConsumerRecord<String, byte[]> record) {
        telemetry.inTraceOf(record, () -> adapter.onVariantFailed(record));
    }
}
