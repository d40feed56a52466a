package dev.verdant.evaluation.service.messaging;

import dev.verdant.evaluation.service.core.RunEvaluations;
import dev.verdant.events.CloudEventCodec;
import dev.verdant.events.EventType;
import dev.verdant.events.VerdantEvent;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * Sends events as CloudEvents (binary mode) through the codec every Verdant component shares, and
 * waits for the broker's acknowledgement: a caller that moves on knows the event is stored.
 */
@ApplicationScoped
class EventPublisher {
    static final String SERVICE = RunEvaluations.SERVICE;
    static final String EVALUATIONS = "evaluations";
    static final String VARIANTS_FAILED = "variants-failed";
    static final String JOB_USAGE = "job-usage";

    private final Map<EventType, MutinyEmitter<byte[]>> emitters;

    EventPublisher(@Channel(EVALUATIONS) MutinyEmitter<byte[]> evaluations,
            @Channel(VARIANTS_FAILED) MutinyEmitter<byte[]> failed,
            @Channel(JOB_USAGE) MutinyEmitter<byte[]> usage) {
        this.emitters = Map.of(EventType.VARIANT_EVALUATED, evaluations, EventType.VARIANT_FAILED, failed,
                EventType.JOB_USAGE, usage);
    }

    /** @param id the CloudEvents id: derived from the fact, so a re-emission carries the same id */
    void publish(VerdantEvent event, String id) {
        MutinyEmitter<byte[]> emitter = emitters.get(event.type());
        if (emitter == null) {
            throw new IllegalArgumentException("evaluation does not emit " + event.type());
        }
        CloudEventCodec.Encoded encoded = CloudEventCodec.encode(event, SERVICE, id, Instant.now());
        RecordHeaders headers = new RecordHeaders();
        encoded.headers().forEach((k, v) -> headers.add(k, v.getBytes(StandardCharsets.UTF_8)));
        emitter.sendMessageAndAwait(Message.of(encoded.body()).addMetadata(
                OutgoingKafkaRecordMetadata.<String>builder().withTopic(encoded.topic()).withKey(encoded.key())
                        .withHeaders(headers).build()));
    }
}
