package dev.verdant.carbon.service.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.verdant.carbon.CarbonIntensities;
import dev.verdant.carbon.IntensityLookup;
import dev.verdant.carbon.SoftwareCarbonIntensity;
import dev.verdant.events.BucketLayout;
import dev.verdant.events.EventJson;
import dev.verdant.events.JobUsage;
import dev.verdant.events.ModelIngested;
import dev.verdant.events.RunReported;
import dev.verdant.events.Schemas;
import dev.verdant.events.Technique;
import dev.verdant.events.VariantFailed;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CarbonAccountingTest {
    private static final Instant T0 = Instant.parse("2026-11-28T12:00:00Z");
    private static final double FRA = ((IntensityLookup.Found) CarbonIntensities.packaged().lookup("FRA"))
            .intensity().gPerKwh();

    /** A clock the test moves. */
    static final class TestClock extends Clock {
        Instant now = T0;

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private final InMemoryFactStore store = new InMemoryFactStore();
    private final TestClock clock = new TestClock();
    private final CarbonSettings settings = new CarbonSettings(Duration.ofHours(2), Duration.ofMinutes(1),
            Duration.ofMinutes(10), Duration.ofMinutes(2), SoftwareCarbonIntensity.Hardware.commodityRackServer(16), "me");
    private final CarbonAccounting accounting = new CarbonAccounting(store, CarbonIntensities.packaged(), settings, clock);

    private ModelIngested startRun(String runId, String region) {
        ModelIngested run = Facts.plan(runId, region, 1.2, 1_000_000, 1.0, T0, List.of(
                Facts.step("int8", Technique.QUANTIZE, "original"), Facts.step("pruned", Technique.PRUNE, "original"),
                Facts.step("slow", Technique.PRUNE, "original"), Facts.step("lowrank", Technique.PRUNE, "original")));
        store.put(BucketLayout.runMarkerKey(runId), EventJson.toBytes(run));
        accounting.receive(run);
        return run;
    }

    private static double gPer1k(double joules, double pue, double intensity) {
        return joules / 3.6e6 * pue * intensity;
    }

    /**
     * Regression (the chaos tests' outage run): S3 went away right after a verdict was published; the
     * failed marker write would have made the retry publish the verdict again. It now waits.
     */
    @Test
    void aStoreOutageRightAfterTheVerdictIsPublishedWaitsToWriteTheMarkerInsteadOfReportingAgain()
            throws java.io.IOException {
        dev.verdant.store.ArtifactStoreException outage = null;
        int port;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            port = socket.getLocalPort(); // closed again: nothing listens there
        }
        try (dev.verdant.store.ArtifactStore unreachable = new dev.verdant.store.ArtifactStore(
                new dev.verdant.store.S3Settings("http://127.0.0.1:" + port, "k", "secret-key", "verdant", "us-east-1"),
                new dev.verdant.store.RetryPolicy(2, Duration.ofMillis(1), Duration.ofMillis(1)))) {
            unreachable.exists("runs/x/carbon/reported.json");
        } catch (dev.verdant.store.ArtifactStoreException e) {
            outage = e;
        }
        assertThat(outage).as("the unreachable store's failure").isNotNull();
        dev.verdant.store.ArtifactStoreException failure = outage;
        String runId = "run-0000000000000000beef";
        java.util.concurrent.atomic.AtomicInteger failuresLeft = new java.util.concurrent.atomic.AtomicInteger(2);
        FactStore flaky = new FactStore() {
            @Override
            public void put(String key, byte[] content) {
                if (key.equals(CarbonKeys.reported(runId)) && failuresLeft.getAndDecrement() > 0) {
                    throw failure;
                }
                store.put(key, content);
            }

            @Override
            public Optional<byte[]> get(String key) {
                return store.get(key);
            }

            @Override
            public boolean exists(String key) {
                return store.exists(key);
            }

            @Override
            public List<String> list(String prefix) {
                return store.list(prefix);
            }

            @Override
            public void delete(String key) {
                store.delete(key);
            }
        };
        CarbonAccounting withOutage = new CarbonAccounting(flaky, CarbonIntensities.packaged(), settings, clock);
        startRun(runId, "FRA");
        clock.now = T0.plus(Duration.ofHours(3)); // past the run timeout: reported as it is

        List<RunReported> emitted = new java.util.ArrayList<>();
        assertThat(withOutage.reportIfReady(runId, emitted::add)).isPresent();
        assertThat(failuresLeft.get()).as("both failed writes were tried again").isNegative();
        assertThat(emitted).hasSize(1);
        assertThat(withOutage.reported(runId)).isTrue();
        assertThat(withOutage.reportIfReady(runId, emitted::add)).isEmpty();
        assertThat(emitted).hasSize(1);
    }

    @Test
    void aCompleteRunGivesRowsFrontRecommendationWithinBudgetAndPayback() {
        String runId = "run-000000000000c0ffee00";
        startRun(runId, "FRA");
        Instant t = T0.plusSeconds(60);
        var ingest = (Received.Recorded) accounting.receive(Facts.usage(runId, JobUsage.Kind.INGEST, null, 3600, T0, t));
        assertThat(ingest.ledgerEntry().emissionsG()).isCloseTo(3600 / 3.6e6 * 1.2 * FRA, within(1e-12));
        assertThat(ingest.ledgerEntry().region()).isEqualTo("FRA");
        accounting.receive(Facts.evaluated(runId, "original", 80.0, 40, 60, t));
        accounting.receive(Facts.evaluated(runId, "int8", 79.5, 25, 40, t));
        accounting.receive(Facts.evaluated(runId, "pruned", 78.0, 20, 30, t));
        accounting.receive(Facts.evaluated(runId, "slow", 70.0, 50, 70, t));
        accounting.receive(Facts.failed(runId, "lowrank", VariantFailed.Stage.MAKE, t));
        for (String id : List.of("original", "int8", "pruned")) {
            accounting.receive(Facts.usage(runId, JobUsage.Kind.EVALUATE, id, 720, t, t.plusSeconds(10)));
        }
        // slow's evaluate usage is still on its way: not ready until it comes or the settle time passes.
        assertThat(accounting.prepareReport(runId)).isEmpty();
        accounting.receive(Facts.usage(runId, JobUsage.Kind.EVALUATE, "slow", 720, t, t.plusSeconds(10)));
        // Nor until the making of each evaluated variant is accounted for.
        accounting.receive(Facts.usage(runId, JobUsage.Kind.QUANTIZE, "int8", 360, T0, t));
        accounting.receive(Facts.usage(runId, JobUsage.Kind.PRUNE, "pruned", 360, T0, t));
        assertThat(accounting.prepareReport(runId)).isEmpty();
        accounting.receive(Facts.usage(runId, JobUsage.Kind.PRUNE, "slow", 360, T0, t));

        List<RunReported> emitted = new java.util.ArrayList<>();
        RunReported r = accounting.reportIfReady(runId, emitted::add).orElseThrow().event();
        assertThat(emitted).containsExactly(r);
        assertThat(Schemas.validate(r)).isEmpty();
        assertThat(r.status()).isEqualTo(RunReported.Status.PARTIAL);
        assertThat(r.variants()).extracting(RunReported.Row::variantId).containsExactly("original", "int8", "pruned", "slow");
        assertThat(r.missing()).singleElement().satisfies(m -> {
            assertThat(m.variantId()).isEqualTo("lowrank");
            assertThat(m.why()).contains("failed to make").contains("NO_RANK_SAVING");
        });
        RunReported.Row int8 = r.variants().get(1);
        assertThat(int8.technique()).isEqualTo(Technique.QUANTIZE);
        assertThat(int8.qualityLoss()).isCloseTo(0.5, within(1e-9));
        assertThat(int8.emissionsGPer1k()).isCloseTo(gPer1k(40, 1.2, FRA), within(1e-12));
        // SCI = E x I + M; M = 1000 kg x 1000 g/kg x (1 s / 4 years) x (2 busy CPUs / 16).
        double m = 1000 * 1000.0 * (1.0 / (4 * 365 * 86400.0)) * (2.0 / 16);
        assertThat(int8.sciGPer1k()).isCloseTo(gPer1k(40, 1.2, FRA) + m, within(1e-12));
        assertThat(int8.withinBudget()).isTrue();
        assertThat(r.variants().get(2).withinBudget()).isFalse(); // loses 2 points of a 1-point budget
        assertThat(r.paretoFront()).containsExactly("original", "int8", "pruned"); // slow is worse on every axis
        assertThat(r.recommendation().variantId()).isEqualTo("int8"); // pruned is greener but over budget
        double footprintG = (3600 + 4 * 720 + 3 * 360) / 3.6e6 * 1.2 * FRA;
        assertThat(r.footprint().emissionsG()).isCloseTo(footprintG, within(1e-9));
        double dailySavedG = (gPer1k(60, 1.2, FRA) - gPer1k(40, 1.2, FRA)) / 1000 * 1_000_000;
        assertThat(r.recommendation().paybackDays()).isCloseTo(footprintG / dailySavedG, within(1e-9));
        assertThat(r.recommendation().yearlyEmissionsSavedKg()).isCloseTo(dailySavedG * 365 / 1000, within(1e-9));
        assertThat(r.context().region()).isEqualTo("FRA");
        assertThat(r.context().pue()).isEqualTo(1.2);

        // Files in the bucket, and once only.
        assertThat(store.exists(BucketLayout.reportHtmlKey(runId))).isTrue();
        String csv = new String(store.get(BucketLayout.emissionsCsvKey(runId)).orElseThrow(), StandardCharsets.UTF_8);
        assertThat(csv.split("\r\n")).hasSize(1 + 8);
        assertThat(csv).startsWith("timestamp,project_name,run_id").contains(runId + ":evaluate:int8");
        assertThat(EventJson.fromBytes(store.get(BucketLayout.reportJsonKey(runId)).orElseThrow(), RunReported.class))
                .isEqualTo(r);
        assertThat(accounting.reportIfReady(runId, emitted::add)).isEmpty();
        assertThat(emitted).hasSize(1);
        assertThat(accounting.sweep().openRuns()).doesNotContain(runId);
    }

    @Test
    void keepsTheOriginalWhenNoVariantIsWithinBudget() {
        String runId = "run-000000000000c0ffee01";
        ModelIngested run = Facts.plan(runId, "FRA", 1.0, 1000, 0.1, T0,
                List.of(Facts.step("int8", Technique.QUANTIZE, "original")));
        store.put(BucketLayout.runMarkerKey(runId), EventJson.toBytes(run));
        accounting.receive(Facts.evaluated(runId, "original", 80.0, 40, 60, T0));
        accounting.receive(Facts.evaluated(runId, "int8", 79.5, 25, 40, T0));
        clock.now = T0.plus(Duration.ofMinutes(5)); // evaluate usage never came: settle passed
        RunReported r = accounting.prepareReport(runId).orElseThrow().event();
        assertThat(r.status()).isEqualTo(RunReported.Status.COMPLETE);
        assertThat(r.recommendation().variantId()).isEqualTo("original");
        assertThat(r.recommendation().reason()).contains("no variant stays within the 0.1-point");
        assertThat(r.recommendation().paybackDays()).isNull();
        assertThat(r.notes()).anyMatch(n -> n.contains("usage not received") && n.contains(runId + ":evaluate:int8"));
    }

    @Test
    void aTimedOutRunIsReportedWithWhatIsMissing() {
        String runId = "run-000000000000c0ffee02";
        startRun(runId, "FRA");
        accounting.receive(Facts.evaluated(runId, "original", 80.0, 40, 60, T0.plusSeconds(5)));
        accounting.receive(Facts.evaluated(runId, "int8", 79.5, 25, 40, T0.plusSeconds(5)));
        clock.now = T0.plus(Duration.ofHours(1));
        assertThat(accounting.sweep().openRuns()).contains(runId);
        assertThat(accounting.prepareReport(runId)).isEmpty();
        clock.now = T0.plus(Duration.ofHours(2));
        RunReported r = accounting.prepareReport(runId).orElseThrow().event();
        assertThat(r.status()).isEqualTo(RunReported.Status.PARTIAL);
        assertThat(r.variants()).extracting(RunReported.Row::variantId).containsExactly("original", "int8");
        assertThat(r.missing()).extracting(RunReported.Missing::variantId).containsExactly("pruned", "slow", "lowrank");
        assertThat(r.missing()).allSatisfy(m -> assertThat(m.why()).contains("timed out").contains("2h"));
        assertThat(r.recommendation().variantId()).isEqualTo("int8");
    }

    @Test
    void anUnknownRegionIsPricedWithTheWorldAverageAndSaysSo() {
        String runId = "run-000000000000c0ffee03";
        startRun(runId, "ATLANTIS");
        var rec = (Received.Recorded) accounting.receive(Facts.usage(runId, JobUsage.Kind.INGEST, null, 3600, T0, T0));
        double world = ((IntensityLookup.Found) CarbonIntensities.packaged().lookup("WLD")).intensity().gPerKwh();
        assertThat(rec.ledgerEntry().carbonIntensityGPerKwh()).isEqualTo(world);
        assertThat(rec.ledgerEntry().intensitySource()).contains("fallback WLD").contains("ATLANTIS");
        clock.now = T0.plus(Duration.ofHours(3));
        RunReported r = accounting.prepareReport(runId).orElseThrow().event();
        assertThat(r.notes()).anyMatch(n -> n.contains("region 'ATLANTIS' is unknown") && n.contains("ISO 3166"));
        assertThat(r.recommendation()).isNull(); // the original never came: no quality baseline
        assertThat(Schemas.validate(r)).isEmpty();
    }

    @Test
    void usageThatEndedBeforeItStartedIsRefusedAndNoted() {
        String runId = "run-000000000000c0ffee04";
        startRun(runId, "FRA");
        Received r = accounting.receive(Facts.usage(runId, JobUsage.Kind.QUANTIZE, "int8", 10, T0.plusSeconds(10), T0));
        assertThat(r).isInstanceOf(Received.Refused.class);
        assertThat(((Received.Refused) r).reason()).isEqualTo("NEGATIVE_DURATION");
        assertThat(((Received.Refused) r).message()).contains(runId + ":quantize:int8").contains("before it started");
        clock.now = T0.plus(Duration.ofHours(3));
        RunReported report = accounting.prepareReport(runId).orElseThrow().event();
        assertThat(report.notes()).anyMatch(n -> n.contains("NEGATIVE_DURATION"));
        assertThat(report.footprint().emissionsG()).isZero();
    }

    @Test
    void eventsOfAnUnknownRunAreParkedThenReplayedWhenTheMarkerAppears() {
        String runId = "run-000000000000c0ffee05";
        Received r = accounting.receive(Facts.evaluated(runId, "original", 80.0, 40, 60, T0));
        assertThat(r).isInstanceOf(Received.Parked.class);
        assertThat(((Received.Parked) r).message()).contains("no run marker at runs/" + runId + "/run.json");
        assertThat(accounting.receive(Facts.usage(runId, JobUsage.Kind.INGEST, null, 100, T0, T0)))
                .isInstanceOf(Received.Parked.class);
        assertThat(accounting.sweep().replayed()).isEmpty();

        ModelIngested run = Facts.plan(runId, "FRA", 1.0, 1000, 1.0, T0, List.of());
        store.put(BucketLayout.runMarkerKey(runId), EventJson.toBytes(run));
        CarbonAccounting.Sweep sweep = accounting.sweep();
        assertThat(sweep.replayed()).hasSize(2).allMatch(x -> x instanceof Received.Recorded);
        assertThat(sweep.replayed()).anyMatch(x -> ((Received.Recorded) x).ledgerEntry() != null);
        assertThat(sweep.openRuns()).contains(runId);
        assertThat(store.list("system/carbon/parked/")).isEmpty();
        clock.now = T0.plus(Duration.ofMinutes(1)); // the original's evaluate usage never came: settled
        RunReported report = accounting.prepareReport(runId).orElseThrow().event();
        assertThat(report.status()).isEqualTo(RunReported.Status.COMPLETE); // the plan had no variants
        assertThat(report.recommendation().variantId()).isEqualTo("original");
    }

    @Test
    void eventsOfARunThatNeverAppearsBecomeDeadLettersAfterTheGrace() {
        accounting.receive(Facts.evaluated("run-000000000000c0ffee06", "original", 80.0, 40, 60, T0));
        clock.now = T0.plus(Duration.ofMinutes(9));
        assertThat(accounting.sweep().deadLetters()).isEmpty();
        clock.now = T0.plus(Duration.ofMinutes(10));
        List<CarbonAccounting.DeadLetter> dead = accounting.sweep().deadLetters();
        assertThat(dead).singleElement().satisfies(d -> {
            assertThat(d.event().runId()).isEqualTo("run-000000000000c0ffee06");
            assertThat(d.reason()).startsWith("UNKNOWN_RUN").contains("runs/run-000000000000c0ffee06/run.json");
        });
        accounting.forget(dead.get(0));
        assertThat(accounting.sweep().deadLetters()).isEmpty();
    }

    @Test
    void aRedeliveredUsageKeepsItsLedgerEntryAndAnotherInstancesFreshClaimIsRespected() {
        String runId = "run-000000000000c0ffee07";
        startRun(runId, "FRA");
        JobUsage u = Facts.usage(runId, JobUsage.Kind.INGEST, null, 100, T0, T0);
        var first = ((Received.Recorded) accounting.receive(u)).ledgerEntry();
        clock.now = T0.plusSeconds(30);
        var again = ((Received.Recorded) accounting.receive(u)).ledgerEntry();
        assertThat(again).isEqualTo(first);

        store.put("runs/" + runId + "/carbon/claim.json",
                EventJson.toBytes(java.util.Map.of("owner", "other", "at", clock.now.toString())));
        clock.now = T0.plus(Duration.ofHours(3));
        Optional<CarbonAccounting.PreparedReport> stale = accounting.prepareReport(runId);
        assertThat(stale).isPresent(); // the other instance's claim is older than the ttl: taken over
        store.put("runs/" + runId + "/carbon/claim.json",
                EventJson.toBytes(java.util.Map.of("owner", "other", "at", clock.now.toString())));
        assertThat(accounting.prepareReport(runId)).isEmpty();
    }
}
