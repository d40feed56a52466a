package dev.verdant.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.verdant.events.CloudEventCodec;
import dev.verdant.events.Hashes;
import dev.verdant.events.RunReported;
import dev.verdant.events.Topics;
import dev.verdant.store.ArtifactStore;
import dev.verdant.store.ObjectInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every service re-reads every topic from its beginning (its consumer group moved back to the first
 * offset while it is stopped, as {@code kafka-consumer-groups --reset-offsets --to-earliest} does)
 * and nothing new comes of it: no object in the bucket added or changed, no fact with a new id or new
 * content on any topic, no second verdict. Every run on the topics is replayed, not only this class's.
 */
class ReplayIT {

    @BeforeAll
    static void takeTheFleet() {
        ChaosFleet.acquire();
    }

    @AfterAll
    static void letGoOfTheFleet() {
        ChaosFleet.release();
    }
    /** Topics the services write facts to; the dead letters are left out (a poison record is dead-lettered again). */
    static final List<String> FACT_TOPICS = List.of(Topics.UPLOADS, Topics.MODELS_INGESTED, Topics.MODELS_REJECTED,
            Topics.VARIANTS_CREATED, Topics.VARIANTS_FAILED, Topics.EVALUATIONS, Topics.USAGE, Topics.CARBON_LEDGER,
            Topics.REPORTS);

    /** The bucket (key -> size and ETag, the MD5 of the content) and each topic's records and distinct facts. */
    record Snapshot(Map<String, String> objects, Map<String, Integer> records, Map<String, Set<String>> facts) {
        static Snapshot take(ChaosFleet fleet) {
            Map<String, String> objects = new TreeMap<>();
            try (ArtifactStore store = fleet.store()) {
                for (ObjectInfo o : store.list("", true)) {
                    objects.put(o.key(), o.size() + " " + o.etag());
                }
            }
            Map<String, Integer> records = new LinkedHashMap<>();
            Map<String, Set<String>> facts = new LinkedHashMap<>();
            for (String topic : FACT_TOPICS) {
                List<ConsumerRecord<String, byte[]>> all = Journeys.readAll(fleet.kafkaBootstrapServers(), topic);
                records.put(topic, all.size());
                Set<String> distinct = new TreeSet<>();
                for (ConsumerRecord<String, byte[]> r : all) {
                    // A fact: its key, its CloudEvents id and its content (ce_time, the sending time, is left out).
                    distinct.add(r.key() + " " + RunAudit.header(r, CloudEventCodec.H_ID) + " "
                            + Hashes.sha256(r.value() == null ? new byte[0] : r.value()));
                }
                facts.put(topic, distinct);
            }
            return new Snapshot(objects, records, facts);
        }
    }

    @Test
    void rereadingEveryTopicFromTheBeginningMakesNoNewArtifactFactOrVerdict() throws Exception {
        ChaosFleet fleet = ChaosFleet.shared();
        ChaosRun run = ChaosRun.tiny(fleet, "replay", 902);
        String runId = run.submit(fleet);
        ChaosRun.awaitReport(fleet, runId, Duration.ofMinutes(6));
        RunAudit.of(fleet, runId).assertEveryFactOnce(ChaosRun.VARIANTS, ChaosRun.expectedJobs(runId));
        // Let the carbon service's last sweep and any late usage settle before the picture is taken.
        awaitCaughtUp(fleet, Duration.ofMinutes(2));

        List<String> stops = new ArrayList<>();
        for (String service : ChaosFleet.SERVICES.keySet()) {
            stops.add(String.format("%s %.1f s", service, fleet.stop(service, Duration.ofSeconds(30))));
        }
        System.out.println("ReplayIT: services stopped with SIGTERM: " + stops);
        Snapshot before = Snapshot.take(fleet);
        Map<String, Long> replayed = fleet.resetGroupsToEarliest();
        System.out.println("ReplayIT: consumer groups moved to the first offset; records each will read again: "
                + replayed);
        assertThat(replayed).as("the services' groups").containsKeys("verdant-ingest", "verdant-evaluation",
                "verdant-quantization", "verdant-pruning", "verdant-distillation", "verdant-carbon");
        assertThat(replayed.values().stream().mapToLong(Long::longValue).sum()).isPositive();

        long t0 = System.nanoTime();
        fleet.startAll();
        awaitCaughtUp(fleet, Duration.ofMinutes(4));
        double seconds = (System.nanoTime() - t0) / 1e9;
        Snapshot after = Snapshot.take(fleet);

        System.out.printf("ReplayIT: %d records replayed in %.1f s (start included); records per topic before ->"
                + " after:%n", replayed.values().stream().mapToLong(Long::longValue).sum(), seconds);
        for (String topic : FACT_TOPICS) {
            System.out.printf("  %-26s %4d -> %4d records, %4d -> %4d distinct facts%n", topic,
                    before.records().get(topic), after.records().get(topic), before.facts().get(topic).size(),
                    after.facts().get(topic).size());
        }
        assertThat(after.objects()).as("bucket objects (key -> size ETag) after the replay")
                .containsExactlyInAnyOrderEntriesOf(before.objects());
        for (String topic : FACT_TOPICS) {
            assertThat(after.facts().get(topic)).as("distinct facts (key, id, content) on " + topic)
                    .containsExactlyInAnyOrderElementsOf(before.facts().get(topic));
        }
        assertThat(after.records().get(Topics.REPORTS)).as("no second verdict for any run")
                .isEqualTo(before.records().get(Topics.REPORTS));
        assertThat(RunAudit.events(fleet, Topics.REPORTS, RunReported.class)).filteredOn(
                e -> runId.equals(e.event().runId())).hasSize(1);
    }

    /** Every services' group has committed up to the end of every partition, twice 6 s apart. */
    static void awaitCaughtUp(ChaosFleet fleet, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        int quietChecks = 0;
        try (Admin admin = fleet.admin()) {
            while (System.nanoTime() < deadline) {
                long lag = 0;
                for (String group : fleet.groups(admin)) {
                    lag += fleet.lag(admin, group);
                }
                quietChecks = lag == 0 ? quietChecks + 1 : 0;
                if (quietChecks >= 2) {
                    return;
                }
                Journeys.sleep(6_000);
            }
        }
        throw new AssertionError("the services' consumer groups did not catch up within " + timeout.toSeconds() + " s");
    }
}
