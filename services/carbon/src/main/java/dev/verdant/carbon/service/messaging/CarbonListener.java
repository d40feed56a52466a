package dev.verdant.carbon.service.messaging;

import dev.verdant.carbon.service.core.CarbonAccounting;
import dev.verdant.events.CloudEventCodec;
import dev.verdant.events.EventType;
import dev.verdant.events.VerdantEvent;
import dev.verdant.messaging.JobTelemetry;
import dev.verdant.messaging.OutageRetry;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Every fact of a run, from four topics. Each is stored in the bucket before the offset is committed;
 * an event of a run with no marker is parked (its partition moves on), usage that cannot be priced
 * and records that are not the expected event go to verdant.dead-letter with the reason. Each record
 * is a span "account TOPIC" in the trace its producer sent, counted on /q/metrics by fact and outcome.
 */
@ApplicationScoped
class CarbonListener {
    static final String MODELS_INGESTED = "models-ingested";
    static final String USAGE = "usage";
    static final String EVALUATIONS = "evaluations";
    static final String VARIANTS_FAILED = "variants-failed";

    private final CarbonAccounting accounting;
    private final RunReporter reporter;
    private final JobTelemetry telemetry;
    /** An unreachable store or broker: the fact is stored again with back-off before the dead letters. */
    private final OutageRetry retry = OutageRetry.defaults(Logger.getLogger(CarbonListener.class));

    CarbonListener(CarbonAccounting accounting, RunReporter reporter, JobTelemetry telemetry) {
        this.telemetry = telemetry;
        this.accounting = accounting;
        this.reporter = reporter;
    }

    private static VerdantEvent decode(ConsumerRecord<String, byte[]> record, EventType expected) {
        VerdantEvent event = CloudEventCodec.decode(name -> record.headers().lastHeader(name) == null ? null
                : CloudEventCodec.utf8(record.headers().lastHeader(name).value()), record.value()).event();
        if (event.type() != expected) {
            throw new CloudEventCodec.MalformedEventException("expected " + expected.ceType() + " on " + record.topic()
                    + ", got " + event.type().ceType());
        }
        return event;
    }

    @Incoming(MODELS_INGESTED)
    @Blocking(ordered = true)
    public void onModelIngested(ConsumerRecord<String, byte[]> record) {
        account(record, "ingested", () -> receive(record, decode(record, EventType.MODEL_INGESTED)));
    }

    @Incoming(USAGE)
    @Blocking(ordered = true)
    public void onUsage(ConsumerRecord<String, byte[]> record) {
        account(record, "usage", () -> receive(record, decode(record, EventType.JOB_USAGE)));
    }

    @Incoming(EVALUATIONS)
    @Blocking(ordered = true)
    public void onEvaluated(ConsumerRecord<String, byte[]> record) {
        account(record, "evaluated", () -> receive(record, decode(record, EventType.VARIANT_EVALUATED)));
    }

    @Incoming(VARIANTS_FAILED)
    @Blocking(ordered = true)
    public void onFailed(ConsumerRecord<String, byte[]> record) {
        account(record, "failed", () -> receive(record, decode(record, EventType.VARIANT_FAILED)));
    }

    private void receive(ConsumerRecord<String, byte[]> record, VerdantEvent event) {
        retry.run("record " + record.topic() + "-" + record.partition() + "@" + record.offset(),
                () -> reporter.handle(accounting.receive(event)));
    }

    /** The record's work as span "account TOPIC" of its trace; RunReporter tells the outcome. */
    private void account(ConsumerRecord<String, byte[]> record, String fact, Runnable work) {
        Header runId = record.headers().lastHeader(CloudEventCodec.H_RUN_ID);
        telemetry.inTraceOf(record, () -> {
            try (JobTelemetry.Job job = telemetry.start("account " + record.topic(), fact,
                    runId == null ? null : CloudEventCodec.utf8(runId.value()), null)) {
                try {
                    work.run();
                } catch (RuntimeException | Error e) {
                    job.error(e);
                    throw e;
                }
            }
        });
    }
}
