package dev.verdant.carbon.service.messaging;

import dev.verdant.carbon.service.core.CarbonAccounting;
import dev.verdant.events.CloudEventCodec;
import dev.verdant.events.EventType;
import dev.verdant.events.VerdantEvent;
import dev.verdant.messaging.KafkaEventSender;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

/** The channels this service emits on; sending is {@link KafkaEventSender}'s. */
@ApplicationScoped
class EventPublisher {
    static final String SERVICE = CarbonAccounting.SERVICE;
    static final String CARBON_LEDGER = "carbon-ledger";
    static final String REPORTS = "reports";
    static final String DEAD_LETTER = "dead-letter";
    /** The header SmallRye's dead-letter-queue strategy writes the reason to: one format on the topic. */
    static final String DEAD_LETTER_REASON = "dead-letter-reason";

    private final KafkaEventSender sender;
    private final MutinyEmitter<byte[]> deadLetters;

    EventPublisher(@Channel(CARBON_LEDGER) MutinyEmitter<byte[]> ledger, @Channel(REPORTS) MutinyEmitter<byte[]> reports,
            @Channel(DEAD_LETTER) MutinyEmitter<byte[]> deadLetters) {
        this.sender = new KafkaEventSender(SERVICE, Map.of(EventType.CARBON_LEDGER_ENTRY, ledger,
                EventType.RUN_REPORTED, reports));
        this.deadLetters = deadLetters;
    }

    /** @param id the CloudEvents id: derived from the fact, so a re-emission carries the same id */
    void publish(VerdantEvent event, String id) {
        sender.send(event, id);
    }

    /** The event as a CloudEvent on verdant.dead-letter, with the reason in the dead-letter-reason header. */
    void deadLetter(VerdantEvent event, String id, String reason) {
        CloudEventCodec.Encoded encoded = CloudEventCodec.encode(event, SERVICE, id, Instant.now());
        RecordHeaders headers = new RecordHeaders();
        encoded.headers().forEach((k, v) -> headers.add(k, v.getBytes(StandardCharsets.UTF_8)));
        headers.add(DEAD_LETTER_REASON, reason.getBytes(StandardCharsets.UTF_8));
        headers.add("dead-letter-topic", encoded.topic().getBytes(StandardCharsets.UTF_8));
        deadLetters.sendMessageAndAwait(Message.of(encoded.body()).addMetadata(OutgoingKafkaRecordMetadata
                .<String>builder().withKey(event.runId()).withHeaders(headers).build()));
    }
}
