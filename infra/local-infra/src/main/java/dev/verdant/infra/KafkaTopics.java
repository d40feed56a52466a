package dev.verdant.infra;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.TopicExistsException;

/** Creates topics on a single-broker cluster (replication factor 1), such as the local one. */
public final class KafkaTopics {

    private static final long TIMEOUT_SECONDS = 30;

    private KafkaTopics() {
    }

    /**
     * Creates the topics that do not exist yet; existing ones are left as they are, whatever
     * their partition count.
     */
    public static void create(String bootstrapServers, Collection<String> names, int partitions) {
        create(bootstrapServers, names, partitions, Map.of());
    }

    /**
     * As {@link #create(String, Collection, int)}, with topic-level settings for some of them (e.g.
     * {@code cleanup.policy=compact} for a ledger keyed by job id). Settings of an existing topic are
     * not changed.
     */
    public static void create(String bootstrapServers, Collection<String> names, int partitions,
            Map<String, Map<String, String>> topicConfigs) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1, was " + partitions);
        }
        List<NewTopic> topics = names.stream().distinct()
                .map(name -> new NewTopic(name, partitions, (short) 1).configs(topicConfigs.getOrDefault(name, Map.of())))
                .toList();
        if (topics.isEmpty()) {
            return;
        }
        Map<String, Object> config = new LinkedHashMap<>();
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(AdminClientConfig.CLIENT_ID_CONFIG, "verdant-topics");
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS));
        try (Admin admin = Admin.create(config)) {
            for (Map.Entry<String, KafkaFuture<Void>> result : admin.createTopics(topics).values().entrySet()) {
                try {
                    result.getValue().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new LocalInfrastructureException("cannot create topic " + result.getKey() + " on "
                                + bootstrapServers + ": " + e.getCause().getMessage(), e.getCause());
                    }
                } catch (TimeoutException e) {
                    throw new LocalInfrastructureException("creating topic " + result.getKey() + " on "
                            + bootstrapServers + " took over " + TIMEOUT_SECONDS + " s", e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new LocalInfrastructureException("interrupted while creating topic " + result.getKey(), e);
                }
            }
        }
    }
}
