package dev.verdant.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.verdant.events.BucketLayout;
import dev.verdant.events.CarbonLedgerEntry;
import dev.verdant.events.CloudEventCodec;
import dev.verdant.events.Hashes;
import dev.verdant.events.JobUsage;
import dev.verdant.events.RunReported;
import dev.verdant.events.Topics;
import dev.verdant.events.VariantCreated;
import dev.verdant.events.VariantEvaluated;
import dev.verdant.events.VariantFailed;
import dev.verdant.events.VerdantEvent;
import dev.verdant.store.ArtifactStore;
import dev.verdant.store.ObjectInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * What a run left on every topic and in the bucket, and the exactly-once check on it.
 *
 * <p>What "no duplicate, nothing lost" means here. Delivery is at least once: a record whose offset
 * was not committed when its consumer died is delivered again, and a job cut short is done again, so
 * a topic may hold the same fact twice. A fact is identified by its CloudEvents id, which is derived
 * from the fact ({@code created:<run>:<variant>}, {@code evaluated:...}, {@code usage:<job id>},
 * {@code ledger:<job id>}, {@code reported:<run>}), so a consumer drops repeats by id. The check:
 * <ul>
 *   <li>every planned variant is made: at least one VariantCreated, all with one id and one artifact
 *       (same SHA-256), and exactly one object at its key in the bucket with that SHA-256, plus one
 *       made marker; no other variant objects;</li>
 *   <li>every model (original + variants) is evaluated: one evaluation id, one evaluation marker;</li>
 *   <li>nothing failed and nothing of the run is on the dead-letter topic;</li>
 *   <li>the ledger holds exactly the run's jobs, each job id with one content: records repeated by a
 *       redelivery carry the same bytes, so compaction (one entry per job id) keeps the same figures
 *       whichever record it keeps;</li>
 *   <li>one verdict: every run.reported record of the run carries the id {@code reported:<run>} and
 *       says COMPLETE with a row for every model.</li>
 * </ul>
 */
final class RunAudit {
    /** One record read back: its topic, key, CloudEvents id, event, and a hash of its body. */
    record Event<T extends VerdantEvent>(String topic, String key, String id, T event, String bodySha256) {
    }

    private final String runId;
    final List<Event<VariantCreated>> created;
    final List<Event<VariantFailed>> failed;
    final List<Event<VariantEvaluated>> evaluated;
    final List<Event<JobUsage>> usage;
    final List<Event<CarbonLedgerEntry>> ledger;
    final List<Event<RunReported>> reports;
    final List<ConsumerRecord<String, byte[]>> deadLetters;
    final Map<String, ObjectInfo> objects;
    /** The SHA-256 each variant object carries in its metadata (a listing has no metadata: stat each). */
    final Map<String, String> variantSha256 = new TreeMap<>();

    private RunAudit(ChaosFleet fleet, String runId) {
        this.runId = runId;
        this.created = ofRun(events(fleet, Topics.VARIANTS_CREATED, VariantCreated.class));
        this.failed = ofRun(events(fleet, Topics.VARIANTS_FAILED, VariantFailed.class));
        this.evaluated = ofRun(events(fleet, Topics.EVALUATIONS, VariantEvaluated.class));
        this.usage = ofRun(events(fleet, Topics.USAGE, JobUsage.class));
        this.ledger = ofRun(events(fleet, Topics.CARBON_LEDGER, CarbonLedgerEntry.class));
        this.reports = ofRun(events(fleet, Topics.REPORTS, RunReported.class));
        this.deadLetters = Journeys.readAll(fleet.kafkaBootstrapServers(), Topics.DEAD_LETTER).stream()
                .filter(r -> r.key() != null && r.key().startsWith(runId)).toList();
        try (ArtifactStore store = fleet.store()) {
            this.objects = new TreeMap<>(store.list(BucketLayout.runPrefix(runId), true).stream()
                    .collect(Collectors.toMap(ObjectInfo::key, Function.identity())));
            String variants = BucketLayout.runPrefix(runId) + "variants/";
            for (String key : objects.keySet()) {
                if (key.startsWith(variants)) {
                    store.stat(key).ifPresent(info -> variantSha256.put(key,
                            info.userMetadata().get(ArtifactStore.SHA256_METADATA)));
                }
            }
        }
    }

    static RunAudit of(ChaosFleet fleet, String runId) {
        return new RunAudit(fleet, runId);
    }

    private <T extends VerdantEvent> List<Event<T>> ofRun(List<Event<T>> all) {
        return all.stream().filter(e -> runId.equals(e.event().runId())).toList();
    }

    /** Every record on {@code topic} that reads as a {@code type}; others (e.g. poison) are skipped. */
    static <T extends VerdantEvent> List<Event<T>> events(ChaosFleet fleet, String topic, Class<T> type) {
        List<Event<T>> events = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : Journeys.readAll(fleet.kafkaBootstrapServers(), topic)) {
            try {
                CloudEventCodec.Decoded decoded = CloudEventCodec.decode(name -> header(r, name), r.value());
                if (type.isInstance(decoded.event())) {
                    events.add(new Event<>(topic, r.key(), decoded.id(), type.cast(decoded.event()),
                            Hashes.sha256(r.value())));
                }
            } catch (CloudEventCodec.MalformedEventException notAnEvent) {
                // a poison record of OutageIT
            }
        }
        return events;
    }

    static String header(ConsumerRecord<String, byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : CloudEventCodec.utf8(h.value());
    }

    private static <T extends VerdantEvent> Map<String, List<Event<T>>> by(List<Event<T>> events,
            Function<T, String> key) {
        return events.stream().collect(Collectors.groupingBy(e -> key.apply(e.event()), TreeMap::new,
                Collectors.toList()));
    }

    private Set<String> keysUnder(String folder) {
        String prefix = BucketLayout.runPrefix(runId) + folder;
        return objects.keySet().stream().filter(k -> k.startsWith(prefix))
                .map(k -> k.substring(prefix.length())).collect(Collectors.toCollection(TreeSet::new));
    }

    /** Records delivered vs distinct facts, per kind, e.g. "created 5/4, evaluated 5/5, ...". */
    String summary() {
        return String.format("variant.created %d records/%d facts, variant.evaluated %d/%d, usage %d/%d, ledger %d/%d,"
                + " run.reported %d/%d, variant.failed %d, dead letters %d, bucket objects %d",
                created.size(), distinctIds(created), evaluated.size(), distinctIds(evaluated), usage.size(),
                distinctIds(usage), ledger.size(), distinctIds(ledger), reports.size(), distinctIds(reports),
                failed.size(), deadLetters.size(), objects.size());
    }

    private static long distinctIds(List<? extends Event<?>> events) {
        return events.stream().map(Event::id).distinct().count();
    }

    /** The check described on the class. */
    void assertEveryFactOnce(List<String> variants, List<String> expectedJobs) {
        List<String> models = new ArrayList<>(List.of("original"));
        models.addAll(variants);

        Map<String, List<Event<VariantCreated>>> createdBy = by(created, VariantCreated::variantId);
        assertThat(createdBy.keySet()).as("variants created of " + runId).containsExactlyInAnyOrderElementsOf(variants);
        for (var e : createdBy.entrySet()) {
            assertThat(e.getValue().stream().map(Event::id).distinct()).as("ids of variant.created " + e.getKey())
                    .containsExactly("created:" + runId + ":" + e.getKey());
            List<String> shas = e.getValue().stream().map(c -> c.event().artifact().sha256()).distinct().toList();
            assertThat(shas).as("artifact of " + e.getKey() + " in every variant.created").hasSize(1);
            assertThat(variantSha256.get(BucketLayout.variantKey(runId, e.getKey())))
                    .as("SHA-256 of the stored variant " + e.getKey() + ": the one announced").isEqualTo(shas.get(0));
        }
        assertThat(keysUnder("variants/")).as("variant objects of " + runId)
                .containsExactlyInAnyOrderElementsOf(variants.stream().map(v -> v + ".onnx").toList());
        assertThat(keysUnder("made/")).as("made markers of " + runId)
                .containsExactlyInAnyOrderElementsOf(variants.stream().map(v -> v + ".json").toList());

        Map<String, List<Event<VariantEvaluated>>> evaluatedBy = by(evaluated, VariantEvaluated::variantId);
        assertThat(evaluatedBy.keySet()).as("models evaluated of " + runId).containsExactlyInAnyOrderElementsOf(models);
        evaluatedBy.forEach((variant, events) -> assertThat(events.stream().map(Event::id).distinct())
                .as("ids of variant.evaluated " + variant).containsExactly("evaluated:" + runId + ":" + variant));
        assertThat(keysUnder("evaluations/")).as("evaluation markers of " + runId)
                .containsExactlyInAnyOrderElementsOf(models.stream().map(v -> v + ".json").toList());

        assertThat(failed).as("variant.failed of " + runId).isEmpty();
        assertThat(deadLetters).as("dead letters of " + runId).isEmpty();

        Map<String, List<Event<JobUsage>>> usageBy = by(usage, JobUsage::jobId);
        assertThat(usageBy.keySet()).as("jobs with usage of " + runId).containsExactlyInAnyOrderElementsOf(expectedJobs);
        Map<String, List<Event<CarbonLedgerEntry>>> ledgerBy = by(ledger, CarbonLedgerEntry::jobId);
        assertThat(ledgerBy.keySet()).as("ledger entries (job ids) of " + runId)
                .containsExactlyInAnyOrderElementsOf(expectedJobs);
        ledgerBy.forEach((job, entries) -> {
            assertThat(entries.stream().map(Event::key).distinct()).as("ledger key of " + job).containsExactly(job);
            assertThat(entries.stream().map(Event::bodySha256).distinct())
                    .as("contents of the ledger entries of " + job + " (%d records)", entries.size()).hasSize(1);
        });

        assertThat(reports).as("run.reported of " + runId).isNotEmpty();
        assertThat(reports.stream().map(Event::id).distinct()).as("ids of run.reported")
                .containsExactly("reported:" + runId);
        RunReported report = reports.get(0).event();
        assertThat(report.status()).as("verdict of " + runId + ", missing " + report.missing())
                .isEqualTo(RunReported.Status.COMPLETE);
        assertThat(report.variants()).extracting(RunReported.Row::variantId).as("rows of the verdict")
                .containsExactlyInAnyOrderElementsOf(models);
        assertThat(report.missing()).isEmpty();
    }
}
