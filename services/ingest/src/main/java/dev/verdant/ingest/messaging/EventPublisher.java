package dev.verdant.ingest.messaging;

import dev.verdant.events.EventType;
import dev.verdant.events.VerdantEvent;
import dev.verdant.messaging.KafkaEventSender;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import org.eclipse.microprofile.reactive.messaging.Channel;

/** The channels this service emits on, each for one event type; sending is {@link KafkaEventSender}'s. */
@ApplicationScoped
class EventPublisher {
    static final String SERVICE = "ingest";
    static final String UPLOADS_OUT = "uploads-out";
    static final String MODELS_INGESTED = "models-ingested";
    static final String MODELS_REJECTED = "models-rejected";
    static final String JOB_USAGE = "job-usage";

    private final KafkaEventSender sender;

    EventPublisher(@Channel(UPLOADS_OUT) MutinyEmitter<byte[]> uploads,
            @Channel(MODELS_INGESTED) MutinyEmitter<byte[]> ingested,
            @Channel(MODELS_REJECTED) MutinyEmitter<byte[]> rejected,
            @Channel(JOB_USAGE) MutinyEmitter<byte[]> usage) {
        this.sender = new KafkaEventSender(SERVICE, Map.of(
                EventType.UPLOAD_DETECTED, uploads, EventType.MODEL_INGESTED, ingested,
                EventType.MODEL_REJECTED, rejected, EventType.JOB_USAGE, usage));
    }

    /** @param id the CloudEvents id: derived from the fact, so a re-emission carries the same id */
    void publish(VerdantEvent event, String id) {
        sender.send(event, id);
    }
}
