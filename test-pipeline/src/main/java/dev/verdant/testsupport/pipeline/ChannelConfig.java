package dev.verdant.testsupport.pipeline;

import dev.verdant.events.Topics;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * A service's SmallRye channel configuration (its application.properties), checked against the
 * contracts: topics are the ones of {@link Topics} (the single place for topic names), each channel
 * writes or reads the topic it is meant to, consumers commit only after processing. Each check
 * returns the problems it found, so a test asserts the list is empty and the message names them.
 */
public final class ChannelConfig {
    private final Properties properties;

    private ChannelConfig(Properties properties) {
        this.properties = properties;
    }

    /** The application.properties on the test's classpath. */
    public static ChannelConfig ofApplicationProperties() {
        return ofResource("application.properties");
    }

    /** A properties file on the test's classpath (e.g. a library's META-INF/microprofile-config.properties). */
    public static ChannelConfig ofResource(String name) {
        Properties p = new Properties();
        try (InputStream in = ChannelConfig.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("no " + name + " on the classpath");
            }
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new ChannelConfig(p);
    }

    /** Topic settings (channels and dead-letter queues) that name a topic {@link Topics} does not know. */
    public List<String> unknownTopics() {
        List<String> problems = new ArrayList<>();
        properties.stringPropertyNames().stream().sorted()
                .filter(k -> k.startsWith("mp.messaging.") && k.endsWith(".topic"))
                .filter(k -> !Topics.ALL.contains(properties.getProperty(k)))
                .forEach(k -> problems.add(k + "=" + properties.getProperty(k) + " is not in Topics.ALL"));
        if (properties.stringPropertyNames().stream().noneMatch(k -> k.startsWith("mp.messaging."))) {
            problems.add("no mp.messaging channel is configured");
        }
        return problems;
    }

    /**
     * Channels whose topic differs from the expected one.
     *
     * @param expected "incoming.NAME" or "outgoing.NAME" to topic
     */
    public List<String> topicMismatches(Map<String, String> expected) {
        List<String> problems = new ArrayList<>();
        new TreeMap<>(expected).forEach((channel, topic) -> {
            String key = "mp.messaging." + channel + ".topic";
            if (!topic.equals(properties.getProperty(key))) {
                problems.add(key + " is " + properties.getProperty(key) + ", expected " + topic);
            }
        });
        return problems;
    }

    /**
     * Incoming channels that could lose, reorder or stall work: auto-commit on, another group, no
     * dead-letter queue, a limit on how long a record may be processed, or more than one record per
     * poll (when {@code onePerPoll}).
     */
    public List<String> unsafeConsumers(String groupId, boolean onePerPoll) {
        List<String> problems = new ArrayList<>();
        properties.stringPropertyNames().stream().sorted()
                .filter(k -> k.startsWith("mp.messaging.incoming.") && k.endsWith(".connector"))
                .map(k -> k.substring(0, k.length() - ".connector".length()))
                .forEach(channel -> {
                    expect(problems, channel + ".enable.auto.commit", "false");
                    expect(problems, channel + ".group.id", groupId);
                    expect(problems, channel + ".failure-strategy", "dead-letter-queue");
                    expect(problems, channel + ".dead-letter-queue.topic", Topics.DEAD_LETTER);
                    // SmallRye's throttled commit fails the channel when a record waits over 60 s (its
                    // default): a long job would stop the consumer. 0 turns that check off.
                    expect(problems, channel + ".throttled.unprocessed-record-max-age.ms", "0");
                    if (onePerPoll) {
                        expect(problems, channel + ".max.poll.records", "1");
                    }
                });
        return problems;
    }

    private void expect(List<String> problems, String key, String value) {
        if (!value.equals(properties.getProperty(key))) {
            problems.add(key + " is " + properties.getProperty(key) + ", expected " + value);
        }
    }
}
