package dev.verdant.evaluation.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.verdant.events.EventType;
import dev.verdant.events.Topics;
import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The topics in application.properties are the ones of {@link Topics}, the single place for topic names. */
class ChannelConfigTest {

    private static Properties config() throws IOException {
        Properties p = new Properties();
        try (InputStream in = ChannelConfigTest.class.getClassLoader().getResourceAsStream("application.properties")) {
            p.load(in);
        }
        return p;
    }

    @Test
    void everyChannelTopicIsAKnownTopic() throws IOException {
        Properties p = config();
        var topics = p.stringPropertyNames().stream()
                .filter(k -> k.startsWith("mp.messaging.") && (k.endsWith(".topic") || k.endsWith(".dead-letter-queue.topic")))
                .map(p::getProperty).toList();
        assertThat(topics).isNotEmpty();
        assertThat(Topics.ALL).containsAll(topics);
    }

    @Test
    void outgoingChannelsWriteTheTopicsOfTheEventsTheyCarry() throws IOException {
        Properties p = config();
        assertThat(p.getProperty("mp.messaging.outgoing.evaluations.topic")).isEqualTo(EventType.VARIANT_EVALUATED.topic());
        assertThat(p.getProperty("mp.messaging.outgoing.variants-failed.topic")).isEqualTo(EventType.VARIANT_FAILED.topic());
        assertThat(p.getProperty("mp.messaging.outgoing.job-usage.topic")).isEqualTo(EventType.JOB_USAGE.topic());
        assertThat(p.getProperty("mp.messaging.incoming.models-ingested.topic")).isEqualTo(EventType.MODEL_INGESTED.topic());
        assertThat(p.getProperty("mp.messaging.incoming.variants-created.topic")).isEqualTo(EventType.VARIANT_CREATED.topic());
    }

    @Test
    void consumersCommitOnlyAfterProcessing() throws IOException {
        Properties p = config();
        p.stringPropertyNames().stream().filter(k -> k.startsWith("mp.messaging.incoming.") && k.endsWith(".connector"))
                .map(k -> k.substring(0, k.length() - ".connector".length()))
                .forEach(channel -> {
                    assertThat(p.getProperty(channel + ".enable.auto.commit")).as(channel).isEqualTo("false");
                    assertThat(p.getProperty(channel + ".group.id")).as(channel).isEqualTo("verdant-evaluation");
                    assertThat(p.getProperty(channel + ".failure-strategy")).as(channel).isEqualTo("dead-letter-queue");
                    assertThat(p.getProperty(channel + ".max.poll.records")).as(channel).isEqualTo("1");
                });
    }
}
