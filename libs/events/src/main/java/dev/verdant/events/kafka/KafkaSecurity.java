package dev.verdant.events.kafka;

import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * The Kafka client's security settings (TLS, SASL) from the environment, named the way the Quarkus
 * services take them: {@code KAFKA_} + the client property in upper case with {@code _} for
 * {@code .}, e.g. {@code KAFKA_SECURITY_PROTOCOL=SASL_SSL}, {@code KAFKA_SASL_MECHANISM=SCRAM-SHA-512},
 * {@code KAFKA_SASL_JAAS_CONFIG=...}, {@code KAFKA_SSL_TRUSTSTORE_LOCATION=/etc/kafka/ca.p12}. So the
 * same environment that configures the services also configures {@code verdant watch} and the test
 * tools that read and write topics.
 *
 * <p>Only {@code security.*}, {@code sasl.*} and {@code ssl.*} are taken: other settings of the
 * tools (group, offsets) are theirs to choose.
 */
public final class KafkaSecurity {
    private static final String ENV_PREFIX = "KAFKA_";

    private KafkaSecurity() {
    }

    public static Properties fromEnvironment() {
        return from(System.getenv());
    }

    static Properties from(Map<String, String> environment) {
        Properties properties = new Properties();
        environment.forEach((name, value) -> {
            if (!name.toUpperCase(Locale.ROOT).startsWith(ENV_PREFIX) || value == null || value.isBlank()) {
                return;
            }
            String property = name.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.');
            if (property.startsWith("security.") || property.startsWith("sasl.") || property.startsWith("ssl.")) {
                properties.setProperty(property, value);
            }
        });
        return properties;
    }
}
