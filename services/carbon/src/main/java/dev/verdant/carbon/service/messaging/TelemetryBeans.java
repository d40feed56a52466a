package dev.verdant.carbon.service.messaging;

import dev.verdant.messaging.JobTelemetry;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** The service's traces and job metrics (tracing is off unless VERDANT_OTEL_ENDPOINT is set). */
@Singleton
class TelemetryBeans {

    @Produces
    @Singleton
    JobTelemetry telemetry(OpenTelemetry openTelemetry, MeterRegistry registry) {
        return new JobTelemetry(EventPublisher.SERVICE, openTelemetry, registry);
    }
}
