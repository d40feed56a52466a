package dev.verdant.events;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * CloudEvents 1.0 in Kafka binary mode: attributes as {@code ce_*} headers, the event's JSON as the
 * record value. One codec for every producer and consumer (services, CLI, tests), so the envelope
 * cannot drift between them.
 */
public final class CloudEventCodec {
    public static final String SPEC_VERSION = "1.0";
    public static final String H_SPECVERSION = "ce_specversion";
    public static final String H_ID = "ce_id";
    public static final String H_SOURCE = "ce_source";
    public static final String H_TYPE = "ce_type";
    public static final String H_SUBJECT = "ce_subject";
    public static final String H_TIME = "ce_time";
    public static final String H_RUN_ID = "ce_runid";
    public static final String H_MODEL_SHA256 = "ce_modelsha256";
    public static final String H_CONTENT_TYPE = "content-type";
    public static final String JSON = "application/json";

    /** A record ready for Kafka: topic, key, headers (UTF-8 strings) and the JSON body. */
    public record Encoded(String topic, String key, Map<String, String> headers, byte[] body) {
    }

    /** An event read back, with its envelope. */
    public record Decoded(String id, String source, EventType type, Instant time, VerdantEvent event) {
    }

    private CloudEventCodec() {
    }

    /**
     * @param service the emitting service, becomes {@code ce_source=/verdant/<service>}
     * @param id      the event id; derive it from the fact (e.g. run id + variant) so a re-emission is recognisable
     */
    public static Encoded encode(VerdantEvent event, String service, String id, Instant time) {
        EventType type = event.type();
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(H_SPECVERSION, SPEC_VERSION);
        headers.put(H_ID, id);
        headers.put(H_SOURCE, "/verdant/" + service);
        headers.put(H_TYPE, type.ceType());
        if (event.runId() != null) {
            headers.put(H_SUBJECT, event.runId());
            headers.put(H_RUN_ID, event.runId());
        }
        if (event.modelSha256() != null) {
            headers.put(H_MODEL_SHA256, event.modelSha256());
        }
        headers.put(H_TIME, time.toString());
        headers.put(H_CONTENT_TYPE, JSON);
        return new Encoded(type.topic(), event.partitionKey(), headers, EventJson.toBytes(event));
    }

    /**
     * Reads a record back into its event.
     *
     * @param header looks up a header's value (UTF-8) by name, null when absent
     * @throws MalformedEventException when the headers or body do not form a known Verdant event
     */
    public static Decoded decode(Function<String, String> header, byte[] body) {
        String specVersion = header.apply(H_SPECVERSION);
        String ceType = header.apply(H_TYPE);
        if (!SPEC_VERSION.equals(specVersion) || ceType == null) {
            throw new MalformedEventException("not a CloudEvent in binary mode: ce_specversion=" + specVersion
                    + ", ce_type=" + ceType);
        }
        EventType type = EventType.ofCeType(ceType).orElseThrow(
                () -> new MalformedEventException("unknown event type " + ceType));
        if (body == null || body.length == 0) {
            throw new MalformedEventException(ceType + " has an empty body");
        }
        try {
            VerdantEvent event = EventJson.fromBytes(body, type.javaType());
            String time = header.apply(H_TIME);
            return new Decoded(header.apply(H_ID), header.apply(H_SOURCE), type,
                    time == null ? null : Instant.parse(time), event);
        } catch (RuntimeException e) {
            throw new MalformedEventException(ceType + " body is not valid: " + e.getMessage(), e);
        }
    }

    /** Convenience for Kafka's byte[] headers. */
    public static String utf8(byte[] value) {
        return value == null ? null : new String(value, StandardCharsets.UTF_8);
    }

    /** A record that cannot be read as a Verdant event: it belongs on the dead-letter topic. */
    public static final class MalformedEventException extends RuntimeException {
        public MalformedEventException(String message) {
            super(message);
        }

        public MalformedEventException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
