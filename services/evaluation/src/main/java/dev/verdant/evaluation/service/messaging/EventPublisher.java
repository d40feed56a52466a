package dev.verdant.evaluation.service.messaging;

import dev.verdant.evaluation.service.core.RunEvaluations;
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
    static final String SERVICE = RunEvaluations.SERVICE;
    static final String EVALUATIONS = "evaluations";
    static final String VARIANTS_FAILED = "variants-failed";
    static final String JOB_USAGE = "job-usage";

    private final KafkaEventSender sender;

    EventPublisher(@Channel(EVALUATIONS) MutinyEmitter<byte[]> evaluations,
            @Channel(VARIANTS_FAILED) MutinyEmitter<byte[]> failed,
            @Channel(JOB_USAGE) MutinyEmitter<byte[]> usage) {
        this.sender = new KafkaEventSender(SERVICE, Map.of(
                EventType.VARIANT_EVALUATED, evaluations, EventType.VARIANT_FAILED, failed,
                EventType.JOB_USAGE, usage));
    }

    /** @param id the CloudEvents id: derived from the fact, so a re-emission carries the same id */
    void publish(VerdantEvent event, String id) {
        sender.send(event, id);
    }
}
