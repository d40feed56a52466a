package dev.verdant.technique;

import static org.assertj.core.api.Assertions.assertThat;

import dev.verdant.events.EventType;
import dev.verdant.testsupport.pipeline.ChannelConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The channels every technique service gets from this jar, against the contracts (topics of Topics, safe consumers). */
class ChannelConfigTest {
    private final ChannelConfig config = ChannelConfig.ofResource("META-INF/microprofile-config.properties");

    @Test
    void everyChannelTopicIsAKnownTopic() {
        assertThat(config.unknownTopics()).isEmpty();
    }

    @Test
    void channelsCarryTheTopicsOfTheirEvents() {
        assertThat(config.topicMismatches(Map.of(
                "incoming.models-ingested", EventType.MODEL_INGESTED.topic(),
                "incoming.variants-created", EventType.VARIANT_CREATED.topic(),
                "incoming.variants-failed", EventType.VARIANT_FAILED.topic(),
                "outgoing.created", EventType.VARIANT_CREATED.topic(),
                "outgoing.failed", EventType.VARIANT_FAILED.topic(),
                "outgoing.job-usage", EventType.JOB_USAGE.topic()))).isEmpty();
    }

    @Test
    void consumersCommitOnlyAfterProcessingOneRecordAtATime() {
        assertThat(config.unsafeConsumers("verdant-${verdant.technique.service}", true)).isEmpty();
    }
}
