package dev.verdant.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.verdant.events.EnergySource;
import dev.verdant.events.Usage;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class JobTelemetryTest {
    /** A producer's traceparent: trace 4bf9..., its publish span 00f0... */
    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String PRODUCER_SPAN = "00f067aa0ba902b7";

    private final InMemorySpanExporter spans = InMemorySpanExporter.create();
    private OpenTelemetrySdk sdk;
    private SimpleMeterRegistry registry;
    private JobTelemetry telemetry;

    @BeforeEach
    void setUp() {
        sdk = OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
                .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance())).build();
        registry = new SimpleMeterRegistry();
        telemetry = new JobTelemetry("quantization", sdk, registry);
    }

    @AfterEach
    void tearDown() {
        sdk.close();
    }

    private static ConsumerRecord<String, byte[]> record(String traceparent) {
        ConsumerRecord<String, byte[]> record = new ConsumerRecord<>("verdant.models.ingested", 0, 7L, "run-1",
                new byte[0]);
        record.headers().add("ce_type", "dev.verdant.model.ingested.v1".getBytes(StandardCharsets.UTF_8));
        if (traceparent != null) {
            record.headers().add("traceparent", traceparent.getBytes(StandardCharsets.UTF_8));
        }
        return record;
    }

    @Test
    void aJobIsASpanOfTheTraceTheRecordsProducerSentAndIsCurrentWhileItRuns() {
        String[] seenInside = new String[2];
        telemetry.inTraceOf(record("00-" + TRACE_ID + "-" + PRODUCER_SPAN + "-01"), () -> {
            try (JobTelemetry.Job job = telemetry.start("quantize int8", "quantize", "run-1", "int8")) {
                // What KafkaEventSender hands the connector as the parent of its publish span.
                seenInside[0] = Span.fromContext(Context.current()).getSpanContext().getTraceId();
                seenInside[1] = Span.fromContext(Context.current()).getSpanContext().getSpanId();
                job.outcome("created", null, new Usage(1.5, 2.0, 30.0, EnergySource.ESTIMATED_TDP));
            }
        });
        List<SpanData> finished = spans.getFinishedSpanItems();
        assertThat(finished).hasSize(1);
        SpanData span = finished.get(0);
        assertThat(span.getName()).isEqualTo("quantize int8");
        assertThat(span.getTraceId()).isEqualTo(TRACE_ID);
        assertThat(span.getParentSpanId()).isEqualTo(PRODUCER_SPAN);
        assertThat(seenInside).containsExactly(TRACE_ID, span.getSpanId());
        assertThat(span.getAttributes().get(AttributeKey.stringKey(JobTelemetry.RUN_ID))).isEqualTo("run-1");
        assertThat(span.getAttributes().get(AttributeKey.stringKey(JobTelemetry.VARIANT_ID))).isEqualTo("int8");
        assertThat(span.getAttributes().get(AttributeKey.stringKey(JobTelemetry.OUTCOME))).isEqualTo("created");
        // Outside the record's work nothing is current any more.
        assertThat(Span.fromContext(Context.current()).getSpanContext().isValid()).isFalse();

        assertThat(registry.get(JobTelemetry.JOBS).tags("service", "quantization", "technique", "quantize", "outcome",
                "created").counter().count()).isEqualTo(1.0);
        assertThat(registry.get(JobTelemetry.DURATION).tag("outcome", "created").timer().count()).isEqualTo(1);
        assertThat(registry.get(JobTelemetry.CPU).tag("technique", "quantize").counter().count()).isEqualTo(1.5);
        assertThat(registry.get(JobTelemetry.ENERGY).tag("technique", "quantize").counter().count()).isEqualTo(30.0);
    }

    @Test
    void aRecordFromOutsideVerdantStartsANewTrace() {
        telemetry.inTraceOf(record(null), () -> telemetry.start("evaluate original", "original", "run-2", "original")
                .close());
        SpanData span = spans.getFinishedSpanItems().get(0);
        assertThat(span.getParentSpanContext().isValid()).isFalse();
        assertThat(span.getTraceId()).isNotEqualTo(TRACE_ID);
        // No outcome told: counted as an error, not lost.
        assertThat(registry.get(JobTelemetry.JOBS).tag("outcome", "error").counter().count()).isEqualTo(1.0);
    }

    @Test
    void anEscapedErrorIsRecordedAndTheCurrentJobIsRestoredAfterANestedOne() {
        assertThatThrownBy(() -> telemetry.inTraceOf(record(null), () -> {
            try (JobTelemetry.Job outer = telemetry.start("account verdant.usage", "usage", "run-3", null)) {
                try (JobTelemetry.Job inner = telemetry.start("report run-3", "report", "run-3", null)) {
                    assertThat(telemetry.current()).containsSame(inner);
                    inner.outcome("complete", null, null);
                }
                assertThat(telemetry.current()).containsSame(outer);
                IllegalStateException e = new IllegalStateException("store unreachable");
                outer.error(e);
                throw e;
            }
        })).hasMessage("store unreachable");
        assertThat(telemetry.current()).isEmpty();
        List<SpanData> finished = spans.getFinishedSpanItems();
        assertThat(finished).extracting(SpanData::getName).containsExactly("report run-3", "account verdant.usage");
        assertThat(finished.get(0).getParentSpanId()).isEqualTo(finished.get(1).getSpanId());
        assertThat(finished.get(1).getEvents()).extracting(e -> e.getName()).contains("exception");
        assertThat(registry.get(JobTelemetry.JOBS).tag("technique", "usage").tag("outcome", "error").counter().count())
                .isEqualTo(1.0);
    }

    @Test
    void tracingIsOffUnlessAnEndpointIsSet() {
        assertThat(new TracingConfigSource(name -> null).getValue("quarkus.otel.sdk.disabled")).isEqualTo("true");
        assertThat(new TracingConfigSource(name -> name.equals("VERDANT_OTEL_ENDPOINT") ? "  " : null)
                .getValue("quarkus.otel.sdk.disabled")).isEqualTo("true");
        assertThat(new TracingConfigSource(name -> name.equals("VERDANT_OTEL_ENDPOINT") ? "http://jaeger:4317" : null)
                .getValue("quarkus.otel.sdk.disabled")).isEqualTo("false");
        assertThat(new TracingConfigSource(name -> name.equals("OTEL_EXPORTER_OTLP_ENDPOINT") ? "http://c:4317" : null)
                .getValue("quarkus.otel.sdk.disabled")).isEqualTo("false");
        // Below application.properties (250) and the environment (300): they can still override it.
        assertThat(new TracingConfigSource().getOrdinal()).isLessThan(250);
    }
}
