package dev.verdant.messaging;

import dev.verdant.events.CloudEventCodec;
import dev.verdant.events.EventType;
import dev.verdant.events.VerdantEvent;
import io.opentelemetry.context.Context;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.TracingMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * Sends events as CloudEvents (binary mode) through the codec every Verdant component shares, to
 * the topic of the event's type, keyed by its partition key, and waits for the broker's
 * acknowledgement: a caller that moves on knows the event is stored. Each service's adapter hands
 * it one emitter per event type it emits.
 *
 * <p>The record continues the sending thread's trace: the connector's producer span (and the
 * {@code traceparent} header it writes) takes its parent from the message's {@link TracingMetadata},
 * set here from the current context, so it does not depend on which thread the connector sends from.
 * The W3C header does not clash with the CloudEvents codec, which reads only {@code ce_*} headers.
 */
public final class KafkaEventSender {
    private final String service;
    private final Map<EventType, MutinyEmitter<byte[]>> emitters;

    /** @param service becomes {@code ce_source=/verdant/<service>} */
    public KafkaEventSender(String service, Map<EventType, MutinyEmitter<byte[]>> emitters) {
        this.service = service;
        this.emitters = Map.copyOf(emitters);
    }

    /** @param id the CloudEvents id: derived from the fact, so a re-emission carries the same id */
    public void send(VerdantEvent event, String id) {
        MutinyEmitter<byte[]> emitter = emitters.get(event.type());
        if (emitter == null) {
            throw new IllegalArgumentException(service + " does not emit " + event.type());
        }
        CloudEventCodec.Encoded encoded = CloudEventCodec.encode(event, service, id, Instant.now());
        RecordHeaders headers = new RecordHeaders();
        encoded.headers().forEach((k, v) -> headers.add(k, v.getBytes(StandardCharsets.UTF_8)));
        emitter.sendMessageAndAwait(Message.of(encoded.body()).addMetadata(
                OutgoingKafkaRecordMetadata.<String>builder().withTopic(encoded.topic()).withKey(encoded.key())
                        .withHeaders(headers).build())
                .addMetadata(TracingMetadata.withCurrent(Context.current())));
    }
}
