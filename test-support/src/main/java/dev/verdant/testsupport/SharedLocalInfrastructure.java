package dev.verdant.testsupport;

import dev.verdant.infra.InfraEndpoints;
import dev.verdant.infra.KafkaTopics;
import dev.verdant.infra.LocalInfrastructure;
import dev.verdant.infra.StateDirectoryInUseException;
import java.nio.file.Path;
import java.util.Collection;

/**
 * One local Kafka + S3 per test JVM, started on first use and stopped when the JVM exits, so a
 * module's many tests share one broker and one S3 (about 5 s to start on two cores).
 *
 * <p>The state lives in {@code target/verdant-infra} (system property {@value #STATE_DIR_PROPERTY}
 * overrides it) and starts clean every run. Nodes left behind by a test JVM that was killed are
 * stopped by the next run.
 *
 * <p>Tests share the nodes, so they should use their own topic names and key prefixes (a random
 * suffix is enough).
 */
public final class SharedLocalInfrastructure {

    /** System property: the state directory of the shared nodes. */
    public static final String STATE_DIR_PROPERTY = "verdant.infra.state-dir";
    static final Path DEFAULT_STATE_DIR = Path.of("target", "verdant-infra");

    /**
     * The endpoints are published as system properties, which are JVM-wide: Quarkus loads test
     * resources in its own class loader, where this class (and its static state) exists a second
     * time, and that copy must find the nodes the first one started rather than start others.
     */
    // Not under "verdant.": services map that prefix with @ConfigMapping and refuse unknown keys in it.
    private static final String PUBLISHED = "verdant-shared-infra.";

    private SharedLocalInfrastructure() {
    }

    /** Starts the shared nodes unless they run, and returns their endpoints. */
    public static synchronized InfraEndpoints endpoints() {
        String kafka = System.getProperty(PUBLISHED + "kafka-bootstrap-servers");
        if (kafka != null) {
            return new InfraEndpoints(kafka, System.getProperty(PUBLISHED + "s3-endpoint"),
                    System.getProperty(PUBLISHED + "s3-access-key"), System.getProperty(PUBLISHED + "s3-secret-key"));
        }
        InfraEndpoints endpoints = start().endpoints();
        System.setProperty(PUBLISHED + "s3-endpoint", endpoints.s3Endpoint());
        System.setProperty(PUBLISHED + "s3-access-key", endpoints.accessKey());
        System.setProperty(PUBLISHED + "s3-secret-key", endpoints.secretKey());
        System.setProperty(PUBLISHED + "kafka-bootstrap-servers", endpoints.kafkaBootstrapServers()); // last: the marker
        return endpoints;
    }

    /** Creates topics on the shared broker (replication factor 1); existing ones are kept. */
    public static void createTopics(Collection<String> names, int partitions) {
        KafkaTopics.create(endpoints().kafkaBootstrapServers(), names, partitions);
    }

    /**
     * Attached to this JVM: each node's shutdown hook stops it. If another live JVM uses the
     * directory (two builds of one module at once), this one takes a directory of its own.
     */
    private static LocalInfrastructure start() {
        Path stateDir = Path.of(System.getProperty(STATE_DIR_PROPERTY, DEFAULT_STATE_DIR.toString()));
        LocalInfrastructure.Options options = LocalInfrastructure.Options.defaults().withCleanStart(true);
        try {
            return LocalInfrastructure.start(stateDir, options);
        } catch (StateDirectoryInUseException inUse) {
            Path own = stateDir.resolveSibling(stateDir.getFileName() + "-" + ProcessHandle.current().pid());
            return LocalInfrastructure.start(own, options);
        }
    }
}
