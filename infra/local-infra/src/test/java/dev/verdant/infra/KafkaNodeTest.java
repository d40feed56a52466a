package dev.verdant.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class KafkaNodeTest {

    @Test
    void serverPropertiesMakeOneLoopbackNodeBrokerAndController() throws IOException {
        Properties properties = new Properties();
        properties.load(new StringReader(KafkaNode.serverProperties(Path.of("/tmp/k"), 19092, 19093, 2)));

        assertEquals("broker,controller", properties.getProperty("process.roles"));
        assertEquals("127.0.0.1:19093", properties.getProperty("controller.quorum.bootstrap.servers"));
        assertEquals("PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093", properties.getProperty("listeners"));
        assertEquals(properties.getProperty("listeners"), properties.getProperty("advertised.listeners"));
        assertEquals(Path.of("/tmp/k/data").toString(), properties.getProperty("log.dirs"));
        assertEquals("2", properties.getProperty("num.partitions"));
        assertEquals("true", properties.getProperty("auto.create.topics.enable"));
        assertEquals("0", properties.getProperty("group.initial.rebalance.delay.ms"));
        for (String key : new String[] {"offsets.topic.replication.factor", "transaction.state.log.replication.factor",
                "transaction.state.log.min.isr", "default.replication.factor", "min.insync.replicas"}) {
            assertEquals("1", properties.getProperty(key), key);
        }
    }

    @Test
    void optionsRejectWhatTheBrokerWouldFailOnLater() {
        KafkaNode.Options defaults = KafkaNode.Options.defaults();
        assertEquals(0, defaults.port());
        assertEquals("512m", defaults.maxHeap());
        assertEquals(2, defaults.defaultPartitions());

        assertThrows(IllegalArgumentException.class, () -> defaults.withPort(70_000));
        assertThrows(IllegalArgumentException.class, () -> defaults.withPort(9092).withControllerPort(9092));
        assertThrows(IllegalArgumentException.class, () -> defaults.withMaxHeap("lots"));
        assertThrows(IllegalArgumentException.class, () -> defaults.withDefaultPartitions(0));
    }

    @Test
    void aFixedPortInUseIsReportedBeforeAnythingStarts(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        try (var taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            var failure = assertThrows(LocalInfrastructureException.class,
                    () -> KafkaNode.start(dir, KafkaNode.Options.defaults().withPort(taken.getLocalPort()), Lifecycle.ATTACHED));
            assertTrue(failure.getMessage().contains("port " + taken.getLocalPort()), failure.getMessage());
            assertTrue(failure.getMessage().contains("already in use"), failure.getMessage());
        }
    }
}
