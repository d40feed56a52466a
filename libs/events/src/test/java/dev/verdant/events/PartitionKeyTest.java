package dev.verdant.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;

/** Record keys decide which consumer of a group gets an event: they are part of the contract. */
class PartitionKeyTest {

    private static VariantCreated variant(String runId, String variantId) {
        return new VariantCreated(runId, "0".repeat(64), variantId, Technique.QUANTIZE, Map.of(), "original",
                new Artifact("runs/" + runId + "/variants/" + variantId + ".onnx", 1, "0".repeat(64)), null,
                "quantization", null, List.of(), Instant.EPOCH);
    }

    /** Kafka's default partitioner for a keyed record: murmur2 of the key bytes. */
    private static int partition(String key, int partitions) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    @Test
    void theVariantsOfOneRunSpreadOverThePartitionsSoSeveralInstancesShareTheRun() {
        List<String> defaultRecipe = List.of("int8-dynamic", "int8-static", "ffn-pruned", "low-rank", "student",
                "student-int8");
        Set<String> keys = new TreeSet<>();
        Set<Integer> partitions = new TreeSet<>();
        for (String id : defaultRecipe) {
            String key = variant("run-ed199dfd82f460e8104b", id).partitionKey();
            keys.add(key);
            partitions.add(partition(key, 2));
        }
        assertThat(keys).hasSize(defaultRecipe.size()).allSatisfy(k -> assertThat(k).startsWith("run-ed199dfd82f460e8104b/"));
        assertThat(partitions).containsExactly(0, 1);
    }

    @Test
    void aReplayedVariantKeepsItsKey() {
        assertThat(variant("run-1", "student").partitionKey()).isEqualTo(variant("run-1", "student").partitionKey())
                .isEqualTo("run-1/student");
    }
}
