package dev.verdant.messaging;

import dev.verdant.events.EventType;
import dev.verdant.events.ModelIngested;
import dev.verdant.events.VariantCreated;
import dev.verdant.events.VariantFailed;
import dev.verdant.events.VerdantEvent;
import dev.verdant.variants.RunVariants;
import io.smallrye.reactive.messaging.MutinyEmitter;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jboss.logging.Logger;

/**
 * What a technique service's messaging adapter does with each record, the same for quantization,
 * pruning and distillation: decode it, hand it to the shared core ({@link RunVariants}), send what
 * the core emits (each event acknowledged by the broker before the core writes its marker), log one
 * line per job. A service's listener only declares its channels and calls these methods.
 */
public final class TechniqueAdapter {
    private final RunVariants variants;
    private final KafkaEventSender sender;
    private final Logger log;
    private final OutageRetry retry;

    /**
     * @param created emitter of the service's variants-created channel
     * @param failed emitter of its variants-failed channel
     * @param usage emitter of its job-usage channel
     */
    public TechniqueAdapter(String service, RunVariants variants, MutinyEmitter<byte[]> created,
            MutinyEmitter<byte[]> failed, MutinyEmitter<byte[]> usage) {
        this.variants = variants;
        this.sender = new KafkaEventSender(service, Map.of(EventType.VARIANT_CREATED, created,
                EventType.VARIANT_FAILED, failed, EventType.JOB_USAGE, usage));
        this.log = Logger.getLogger("dev.verdant." + service);
        this.retry = OutageRetry.defaults(log);
        ShutdownGuard.install();
    }

    public void onModelIngested(ConsumerRecord<String, byte[]> record) {
        handle(record, () -> {
            ModelIngested run = IncomingEvents.expect(record, ModelIngested.class);
            report(run.runId(), "ingested", variants.onModelIngested(run, this::publish));
        });
    }

    public void onVariantCreated(ConsumerRecord<String, byte[]> record) {
        handle(record, () -> {
            VariantCreated variant = IncomingEvents.expect(record, VariantCreated.class);
            report(variant.runId(), "variant " + variant.variantId(), variants.onVariantCreated(variant, this::publish));
        });
    }

    public void onVariantFailed(ConsumerRecord<String, byte[]> record) {
        handle(record, () -> {
            VariantFailed failure = IncomingEvents.expect(record, VariantFailed.class);
            report(failure.runId(), "failed " + failure.variantId(), variants.onVariantFailed(failure, this::publish));
        });
    }

    /** Sends what the core emits, unless the service is shutting down (see {@link ShutdownGuard}). */
    private void publish(VerdantEvent event, String id) {
        ShutdownGuard.holdIfShuttingDown(id);
        sender.send(event, id);
    }

    /**
     * Runs the work for one record, again with back-off while the store or the broker is unreachable
     * ({@link OutageRetry}). What still escapes the core (an unreadable record, an outage longer than
     * the retry budget) is logged with its stack here, then rethrown: the connector sends the record to
     * the dead-letter topic, and the variants already made keep their markers, so a replay resumes.
     */
    private void handle(ConsumerRecord<String, byte[]> record, Runnable work) {
        try {
            retry.run("record " + record.topic() + "-" + record.partition() + "@" + record.offset(), work);
        } catch (RuntimeException | Error e) {
            log.errorf(e, "record %s-%d@%d (key %s) failed and goes to the dead-letter topic: %s", record.topic(),
                    record.partition(), record.offset(), record.key(), e);
            throw e;
        }
    }

    private void report(String runId, String trigger, List<VerdantEvent> emitted) {
        for (VerdantEvent event : emitted) {
            if (event instanceof VariantCreated c) {
                log.infof("run %s %s: made %s (%,d bytes) in %.1f s", runId, trigger, c.variantId(),
                        c.artifact().sizeBytes(), c.usage().wallSeconds());
            } else if (event instanceof VariantFailed f) {
                log.infof("run %s %s: %s failed, %s: %s", runId, trigger, f.variantId(), f.reason(), f.message());
            }
        }
    }
}
