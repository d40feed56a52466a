package dev.verdant.carbon.service;

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
                "incoming.models-ingested", EventType.MODEL_INGESTED.topic(),
                "incoming.usage", EventType.JOB_USAGE.topic(),
                "incoming.evaluations", EventType.VARIANT_EVALUATED.topic(),
                "incoming.variants-failed", EventType.VARIANT_FAILED.topic(),
                "outgoing.carbon-ledger", EventType.CARBON_LEDGER_ENTRY.topic(),
                "outgoing.reports", EventType.RUN_REPORTED.topic(),
                "outgoing.dead-letter", Topics.DEAD_LETTER))).isEmpty();
    }

    /** Several records per poll: accounting a fact is a few small bucket writes, not a long job. */
    @Test
    void consumersCommitOnlyAfterProcessing() {
        assertThat(config.unsafeConsumers("verdant-carbon", false)).isEmpty();
    }
}
