package dev.verdant.messaging;

import dev.verdant.events.CloudEventCodec;
import dev.verdant.events.VerdantEvent;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/** Reads a Verdant event off a Kafka record, with the codec every component shares. */
public final class IncomingEvents {
    private IncomingEvents() {
    }

    /** The record's event, whatever its type. */
    public static VerdantEvent decode(ConsumerRecord<String, byte[]> record) {
        return CloudEventCodec.decode(name -> {
            Header header = record.headers().lastHeader(name);
            return header == null ? null : CloudEventCodec.utf8(header.value());
        }, record.value()).event();
    }

    /**
     * The record's event, which must be of {@code type}.
     *
     * @throws CloudEventCodec.MalformedEventException naming the topic and what was expected (the
     *         record goes to the dead-letter topic with that message)
     */
    public static <T extends VerdantEvent> T expect(ConsumerRecord<String, byte[]> record, Class<T> type) {
        VerdantEvent event = decode(record);
        if (!type.isInstance(event)) {
            throw new CloudEventCodec.MalformedEventException("expected a " + type.getSimpleName() + " on "
                    + record.topic() + " (partition " + record.partition() + ", offset " + record.offset()
                    + "), got a " + event.getClass().getSimpleName());
        }
        return type.cast(event);
    }
}
