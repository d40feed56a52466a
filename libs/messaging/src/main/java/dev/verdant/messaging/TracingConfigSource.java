package dev.verdant.messaging;

import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Tracing is off unless an OTLP endpoint is given, so a service with nothing to send traces to does
 * not log an export error every few seconds (the demo on one machine has no Jaeger). One variable
 * turns it on: {@code VERDANT_OTEL_ENDPOINT} (or the standard {@code OTEL_EXPORTER_OTLP_ENDPOINT}),
 * e.g. {@code http://jaeger:4317}, which each service's application.properties also reads as
 * {@code quarkus.otel.exporter.otlp.traces.endpoint}. This source sets
 * {@code quarkus.otel.sdk.disabled} from it; its ordinal is below application.properties, so a
 * service's own file, or {@code QUARKUS_OTEL_SDK_DISABLED}, still wins.
 */
public final class TracingConfigSource implements ConfigSource {
    public static final String ENDPOINT_VARIABLE = "VERDANT_OTEL_ENDPOINT";
    public static final String STANDARD_ENDPOINT_VARIABLE = "OTEL_EXPORTER_OTLP_ENDPOINT";
    static final String SDK_DISABLED = "quarkus.otel.sdk.disabled";
    /** Below application.properties (250), above the extensions' defaults. */
    static final int ORDINAL = 245;

    private final Map<String, String> properties;

    public TracingConfigSource() {
        this(System::getenv);
    }

    TracingConfigSource(UnaryOperator<String> environment) {
        this.properties = Map.of(SDK_DISABLED, Boolean.toString(!enabled(environment)));
    }

    /** Whether an endpoint is set (not blank) in either variable. */
    static boolean enabled(UnaryOperator<String> environment) {
        for (String name : new String[] {ENDPOINT_VARIABLE, STANDARD_ENDPOINT_VARIABLE}) {
            String value = environment.apply(name);
            if (value != null && !value.isBlank()) {
                return true;
            }
        }
        return false;
    }

    @Override
    public Map<String, String> getProperties() {
        return properties;
    }

    @Override
    public Set<String> getPropertyNames() {
        return properties.keySet();
    }

    @Override
    public String getValue(String propertyName) {
        return properties.get(propertyName);
    }

    @Override
    public String getName() {
        return "verdant-tracing-switch (" + ENDPOINT_VARIABLE + ")";
    }

    @Override
    public int getOrdinal() {
        return ORDINAL;
    }
}
