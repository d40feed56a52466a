package dev.verdant.messaging;

import dev.verdant.events.Usage;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * A service's traces and job metrics, for its messaging adapter (the cores know nothing of them).
 *
 * <p>Traces: each record's work runs in the trace its producer sent (the W3C {@code traceparent}
 * header SmallRye's Kafka connector writes from the sending thread's context), so the events a job
 * emits ({@link KafkaEventSender}) continue that trace: one upload is one trace, through ingest, the
 * technique services, evaluation and carbon accounting. Each job is a span ({@code quantize int8},
 * {@code evaluate int8}, {@code ingest uploads/x/model.onnx}) with the run id, variant id and
 * technique as attributes.
 *
 * <p>Metrics (Micrometer; Prometheus names on /q/metrics):
 * <ul>
 * <li>{@value #JOBS} ({@code verdant_jobs_total}): jobs by service, technique and outcome;
 * <li>{@value #DURATION} ({@code verdant_job_duration_seconds}): from the job's start to its outcome
 * published, same tags;
 * <li>{@value #CPU} ({@code verdant_job_cpu_seconds_total}) and {@value #ENERGY}
 * ({@code verdant_job_energy_joules_total}): what the jobs used, as their JobUsage events say, by
 * service and technique.
 * </ul>
 */
public final class JobTelemetry {
    public static final String JOBS = "verdant.jobs";
    public static final String DURATION = "verdant.job.duration";
    public static final String CPU = "verdant.job.cpu";
    public static final String ENERGY = "verdant.job.energy";

    /** Span attributes every job span has (where it applies). */
    public static final String RUN_ID = "verdant.run.id";
    public static final String VARIANT_ID = "verdant.variant.id";
    public static final String TECHNIQUE = "verdant.technique";
    public static final String OUTCOME = "verdant.outcome";
    public static final String REASON = "verdant.reason";

    private static final TextMapGetter<Headers> KAFKA_HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Headers headers) {
            List<String> keys = new ArrayList<>();
            headers.forEach(h -> keys.add(h.key()));
            return keys;
        }

        @Override
        public String get(Headers headers, String key) {
            if (headers == null) {
                return null;
            }
            // The last one: a header added after the producer's own (a re-send) is the one that counts.
            Header header = headers.lastHeader(key);
            return header == null || header.value() == null ? null
                    : new String(header.value(), StandardCharsets.UTF_8);
        }
    };

    private final String service;
    private final OpenTelemetry openTelemetry;
    private final Tracer tracer;
    private final MeterRegistry registry;
    /** The job started on this thread and not yet closed: an adapter's later step tells its outcome. */
    private final ThreadLocal<Job> current = new ThreadLocal<>();

    /**
     * @param openTelemetry the service's (a no-op one when tracing is off)
     * @param registry where the job metrics go (the service's /q/metrics)
     */
    public JobTelemetry(String service, OpenTelemetry openTelemetry, MeterRegistry registry) {
        this.service = service;
        this.openTelemetry = openTelemetry;
        this.tracer = openTelemetry.getTracer("dev.verdant." + service);
        this.registry = registry;
    }

    /** No traces, metrics kept in memory only: for code run outside a service. */
    public static JobTelemetry off(String service) {
        return new JobTelemetry(service, OpenTelemetry.noop(), new SimpleMeterRegistry());
    }

    public String service() {
        return service;
    }

    /** The trace context the record's producer sent, or none (a record from outside Verdant). */
    public Context contextOf(ConsumerRecord<?, ?> record) {
        return openTelemetry.getPropagators().getTextMapPropagator().extract(Context.root(), record.headers(),
                KAFKA_HEADERS);
    }

    /**
     * Runs the record's work in the trace its producer sent: a job started inside is a span of that
     * trace, and every event sent inside continues it.
     */
    public <T> T inTraceOf(ConsumerRecord<?, ?> record, Supplier<T> work) {
        try (Scope ignored = contextOf(record).makeCurrent()) {
            return work.get();
        }
    }

    /** {@link #inTraceOf(ConsumerRecord, Supplier)} for work with no result. */
    public void inTraceOf(ConsumerRecord<?, ?> record, Runnable work) {
        inTraceOf(record, () -> {
            work.run();
            return null;
        });
    }

    /**
     * Starts a job: a span, child of the current context, made current on this thread until the job
     * is closed (so the events the job sends carry it). Close it on the same thread.
     *
     * @param name the span's name, e.g. "quantize int8"
     * @param technique the metrics' technique tag and the span's verdant.technique
     * @param runId null when not known yet
     * @param variantId null when the job is not about one variant
     */
    public Job start(String name, String technique, String runId, String variantId) {
        Span span = tracer.spanBuilder(name).setParent(Context.current()).startSpan();
        span.setAttribute(TECHNIQUE, technique);
        span.setAttribute("verdant.service", service);
        if (runId != null) {
            span.setAttribute(RUN_ID, runId);
        }
        if (variantId != null) {
            span.setAttribute(VARIANT_ID, variantId);
        }
        Job job = new Job(span, span.makeCurrent(), technique, System.nanoTime(), current.get());
        current.set(job);
        return job;
    }

    /** The job started on this thread and not closed yet, if any. */
    public Optional<Job> current() {
        return Optional.ofNullable(current.get());
    }

    /** One job in progress: tell its outcome (and usage), then close it. */
    public final class Job implements AutoCloseable {
        private final Span span;
        private final Scope scope;
        private final String technique;
        private final long startNanos;
        private final Job enclosing;
        private String outcome;
        private boolean closed;

        private Job(Span span, Scope scope, String technique, long startNanos, Job enclosing) {
            this.enclosing = enclosing;
            this.span = span;
            this.scope = scope;
            this.technique = technique;
            this.startNanos = startNanos;
        }

        /** Adds an attribute to the job's span (e.g. the run id once the record is read). */
        public Job attribute(String key, String value) {
            if (value != null) {
                span.setAttribute(key, value);
            }
            return this;
        }

        /**
         * The job's outcome, e.g. created, failed, evaluated, ingested, rejected, already-done.
         *
         * @param reason the failure's reason code, null otherwise (on the span only: metrics stay few)
         * @param usage what the job used, as its JobUsage event says; null when not measured
         */
        public void outcome(String outcome, String reason, Usage usage) {
            this.outcome = outcome;
            span.setAttribute(OUTCOME, outcome);
            if (reason != null) {
                span.setAttribute(REASON, reason);
                span.setStatus(StatusCode.ERROR, reason);
            }
            if (usage != null) {
                span.setAttribute("verdant.cpu.seconds", usage.cpuSeconds());
                span.setAttribute("verdant.energy.joules", usage.energyJoules());
                Counter.builder(CPU).description("CPU time of the jobs, as their JobUsage events say")
                        .baseUnit("seconds").tag("service", service).tag("technique", technique).register(registry)
                        .increment(usage.cpuSeconds());
                Counter.builder(ENERGY).description("Energy of the jobs, as their JobUsage events say")
                        .baseUnit("joules").tag("service", service).tag("technique", technique).register(registry)
                        .increment(usage.energyJoules());
            }
        }

        /** An error escaped the job: outcome error, recorded on the span. */
        public void error(Throwable error) {
            outcome = "error";
            span.setAttribute(OUTCOME, outcome);
            span.recordException(error);
            span.setStatus(StatusCode.ERROR, String.valueOf(error.getMessage()));
        }

        /** Ends the span and counts the job (outcome "error" when none was told). */
        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            try {
                String told = outcome == null ? "error" : outcome;
                Counter.builder(JOBS).description("Jobs by service, technique and outcome").tag("service", service)
                        .tag("technique", technique).tag("outcome", told).register(registry).increment();
                Timer.builder(DURATION).description("From a job's start to its outcome published")
                        .tag("service", service).tag("technique", technique).tag("outcome", told).register(registry)
                        .record(Duration.ofNanos(System.nanoTime() - startNanos));
            } finally {
                if (enclosing == null) {
                    current.remove();
                } else {
                    current.set(enclosing);
                }
                scope.close();
                span.end();
            }
        }
    }
}
