package dev.verdant.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.verdant.events.EventType;
import dev.verdant.events.Topics;
import dev.verdant.testsupport.pipeline.ChannelConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** application.properties against the contracts (topics of Topics, safe consumers). */
class ChannelConfigTest {
    private final ChannelConfig config = ChannelConfig.ofApplicationProperties();

    @Test
    void everyChannelTopicIsAKnownTopic() {
        assertThat(config.unknownTopics()).isEmpty();
    }

    @Test
    void channelsCarryTheTopicsOfTheirEvents() {
        assertThat(config.topicMismatches(Map.of(
                "outgoing.uploads-out", EventType.UPLOAD_DETECTED.topic(),
                "outgoing.models-ingested", EventType.MODEL_INGESTED.topic(),
                "outgoing.models-rejected", EventType.MODEL_REJECTED.topic(),
                "outgoing.job-usage", EventType.JOB_USAGE.topic(),
                "incoming.uploads-in", Topics.UPLOADS,
                "incoming.bucket-notifications", Topics.BUCKET_NOTIFICATIONS))).isEmpty();
    }

    @Test
    void consumersCommitOnlyAfterProcessing() {
        // Bucket notifications are small and only turned into uploads: no one-record limit there.
        assertThat(config.unsafeConsumers("verdant-ingest", false)).isEmpty();
    }
}
