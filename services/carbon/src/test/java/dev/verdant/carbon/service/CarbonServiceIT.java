package dev.verdant.carbon.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.verdant.events.BucketLayout;
import dev.verdant.events.CarbonLedgerEntry;
import dev.verdant.events.EnergySource;
import dev.verdant.events.EventJson;
import dev.verdant.events.JobUsage;
import dev.verdant.events.ModelIngested;
import dev.verdant.events.PlannedStep;
import dev.verdant.events.Recipe;
import dev.verdant.events.RunReported;
import dev.verdant.events.Schemas;
import dev.verdant.events.Technique;
import dev.verdant.events.Topics;
import dev.verdant.events.Usage;
import dev.verdant.events.VariantEvaluated;
import dev.verdant.events.VariantFailed;
import dev.verdant.events.kafka.EventReader;
import dev.verdant.testsupport.LocalInfrastructureTestResource;
import dev.verdant.testsupport.pipeline.PipelineProbe;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The carbon service against a real Kafka broker and a real S3 server (s3proxy): the test plays ingest,
 * the technique services and evaluation (run markers in the bucket, their events on the topics) and
 * reads the ledger, the verdicts and the dead letters. Test profile: sweep every second, usage settle
 * 15 s (the consumers of four topics join their group at different times), unknown-run grace 6 s.
 */
@QuarkusTest
@WithTestResource(value = LocalInfrastructureTestResource.class, initArgs = {
        @ResourceArg(name = "unique-bucket", value = "true"),
        @ResourceArg(name = "topics", value = "verdant.models.ingested,verdant.usage,verdant.evaluations,"
                + "verdant.variants.failed,verdant.carbon.ledger,verdant.reports,verdant.dead-letter")})
class CarbonServiceIT {
    private static final List<String> WATCHED = List.of(Topics.CARBON_LEDGER, Topics.REPORTS, Topics.DEAD_LETTER);
    private static PipelineProbe probe;

    @BeforeAll
    static void connect() {
        probe = PipelineProbe.fromConfig(ConfigProvider.getConfig(), WATCHED, Duration.ofSeconds(60));
    }

    @AfterAll
    static void disconnect() {
        probe.close();
    }

    /** A run as ingest leaves it: the marker in the bucket (region FRA, PUE 1.2, budget 1 point). */
    private static ModelIngested startRun(String runId, Instant ingestedAt, List<PlannedStep> plan) {
        ModelIngested e = PipelineProbe.example("model-ingested.json", ModelIngested.class);
        Recipe r = e.recipe();
        Recipe recipe = new Recipe(r.apiVersion(), r.name(), r.task(), r.variants(), new Recipe.Quality(1.0),
                r.evaluation(), new Recipe.Carbon("FRA", 1.2, 1_000_000));
        ModelIngested run = new ModelIngested(runId, e.modelSha256(), e.model(), e.tokenizer(), recipe, e.recipeSha256(),
                e.recipeSource(), plan, e.upload(), e.graph(), e.architecture(), ingestedAt);
        probe.store().putBytes(BucketLayout.runMarkerKey(runId), EventJson.toBytes(run), "application/json", Map.of());
        return run;
    }

    private static VariantEvaluated evaluated(ModelIngested run, String id, double quality, double b32, double joules) {
        VariantEvaluated e = PipelineProbe.example("variant-evaluated.json", VariantEvaluated.class);
        return new VariantEvaluated(run.runId(), run.modelSha256(), id, e.artifact(), 1_000_000, 500_000,
                new VariantEvaluated.Quality("sts", "spearman", quality, 100, "stsb-test", null),
                id.equals("original") ? null : e.fidelity(),
                new VariantEvaluated.Latency(new VariantEvaluated.Percentiles(b32 / 8, b32 / 7),
                        new VariantEvaluated.Percentiles(b32, b32 * 1.2)),
                e.throughput(), e.peakMemoryBytes(), new Usage(2.0, 1.0, joules, EnergySource.ESTIMATED_TDP), Map.of(),
                Instant.now());
    }

    private static JobUsage usage(ModelIngested run, JobUsage.Kind kind, String variantId, double joules,
            Instant start, Instant end) {
        return new JobUsage(run.runId(), run.modelSha256(), JobUsage.jobId(run.runId(), kind, variantId), "test", kind,
                variantId, new Usage(joules / 20, 10, joules, EnergySource.ESTIMATED_TDP),
                new JobUsage.Host("AMD EPYC 7543 32-Core Processor", 2, 8L << 30), start, end);
    }

    private static void produce(JobUsage u) {
        probe.produce(u, "usage:" + u.jobId());
    }

    private static void produce(VariantEvaluated e) {
        probe.produce(e, "evaluated:" + e.runId() + ":" + e.variantId());
    }

    private static RunReported report(String runId) {
        return probe.await("report of " + runId, RunReported.class, r -> r.runId().equals(runId));
    }

    private static String text(String key) {
        return new String(probe.store().getBytes(key, 1 << 20), StandardCharsets.UTF_8);
    }

    @Test
    void aRunIsReportedOnceWithEveryVariantTheFrontAndARecommendationWithinBudget() {
        String runId = PipelineProbe.newRunId();
        Instant t0 = Instant.now();
        ModelIngested run = startRun(runId, t0, List.of(
                new PlannedStep("int8", Technique.QUANTIZE, Map.of("mode", "dynamic-int8"), "original"),
                new PlannedStep("pruned", Technique.PRUNE, Map.of("method", "ffn", "amount", 0.5), "original"),
                new PlannedStep("low-rank", Technique.PRUNE, Map.of("method", "lowrank"), "original")));
        long started = System.nanoTime();
        probe.produce(run, "ingested:" + runId);
        produce(usage(run, JobUsage.Kind.INGEST, null, 900, t0, t0.plusSeconds(3)));
        produce(evaluated(run, "original", 82.0, 40, 60));
        produce(usage(run, JobUsage.Kind.EVALUATE, "original", 1800, t0, t0.plusSeconds(10)));
        produce(usage(run, JobUsage.Kind.QUANTIZE, "int8", 1200, t0, t0.plusSeconds(8)));
        produce(evaluated(run, "int8", 81.6, 25, 42));
        produce(usage(run, JobUsage.Kind.EVALUATE, "int8", 1500, t0, t0.plusSeconds(9)));
        produce(usage(run, JobUsage.Kind.PRUNE, "pruned", 600, t0, t0.plusSeconds(5)));
        produce(evaluated(run, "pruned", 79.0, 18, 30)); // 3 points lost: over the budget
        produce(usage(run, JobUsage.Kind.EVALUATE, "pruned", 1400, t0, t0.plusSeconds(9)));
        probe.produce(new VariantFailed(runId, run.modelSha256(), "low-rank", Technique.PRUNE, VariantFailed.Stage.MAKE,
                "NO_RANK_SAVING", "no rank saves parameters", "pruning", null, Instant.now()), "failed:" + runId + ":low-rank");

        RunReported r = report(runId);
        long ms = (System.nanoTime() - started) / 1_000_000;
        assertThat(Schemas.validate(r)).isEmpty();
        assertThat(r.status()).isEqualTo(RunReported.Status.PARTIAL);
        assertThat(r.variants()).extracting(RunReported.Row::variantId).containsExactly("original", "int8", "pruned");
        assertThat(r.missing()).extracting(RunReported.Missing::variantId).containsExactly("low-rank");
        assertThat(r.missing().get(0).why()).contains("NO_RANK_SAVING");
        assertThat(r.paretoFront()).isNotEmpty().contains("pruned"); // the greenest and fastest is on the front
        assertThat(r.recommendation().variantId()).isEqualTo("int8");
        RunReported.Row recommended = r.variants().get(1);
        assertThat(recommended.withinBudget()).isTrue();
        assertThat(recommended.qualityLoss()).isLessThanOrEqualTo(r.qualityBudget());
        assertThat(r.variants().stream().filter(x -> Boolean.TRUE.equals(x.withinBudget())))
                .allMatch(x -> x.emissionsGPer1k() >= recommended.emissionsGPer1k());
        assertThat(r.variants().get(2).withinBudget()).isFalse();
        assertThat(r.recommendation().paybackDays()).isPositive();
        assertThat(r.footprint().energyKwh()).isCloseTo((900 + 1800 + 1200 + 1500 + 600 + 1400) / 3.6e6 * 1.2,
                org.assertj.core.api.Assertions.within(1e-12));

        // Every job on the ledger, keyed by job id, priced for FRA.
        for (String job : List.of(runId + ":ingest", runId + ":evaluate:original", runId + ":quantize:int8")) {
            EventReader.Received entry = probe.awaitRecord("ledger entry " + job, x -> Topics.CARBON_LEDGER.equals(x.topic())
                    && job.equals(x.key()));
            CarbonLedgerEntry e = (CarbonLedgerEntry) entry.decoded().event();
            assertThat(e.region()).isEqualTo("FRA");
            assertThat(e.pue()).isEqualTo(1.2);
            assertThat(Schemas.validate(e)).isEmpty();
        }

        // The files, in the bucket.
        assertThat(EventJson.fromBytes(text(BucketLayout.reportJsonKey(runId)).getBytes(StandardCharsets.UTF_8),
                RunReported.class)).isEqualTo(r);
        assertThat(text(BucketLayout.reportHtmlKey(runId))).contains("<svg id=\"pareto\"").contains("<table id=\"variants\">");
        String csv = text(BucketLayout.emissionsCsvKey(runId));
        assertThat(csv.split("\r\n")).hasSize(1 + 6);
        assertThat(csv).startsWith("timestamp,project_name,run_id,duration,emissions");

        // Once: the sweep runs every second and finds the run reported.
        probe.drain(Duration.ofSeconds(3));
        assertThat(probe.count(RunReported.class, x -> x.runId().equals(runId))).isEqualTo(1);
        System.out.printf("CarbonServiceIT: run reported %d ms after its first event; front %s, recommended %s"
                + " (%.5f vs %.5f gCO2e/1k), footprint %.4f gCO2e, payback %.3f days, %.3f kg/yr%n", ms,
                r.paretoFront(), r.recommendation().variantId(), recommended.emissionsGPer1k(),
                r.variants().get(0).emissionsGPer1k(), r.footprint().emissionsG(), r.recommendation().paybackDays(),
                r.recommendation().yearlyEmissionsSavedKg());
    }

    @Test
    void aTimedOutRunReportsWhatIsMissing() {
        String runId = PipelineProbe.newRunId();
        // Ingested three hours ago: past the two-hour timeout.
        ModelIngested run = startRun(runId, Instant.now().minus(Duration.ofHours(3)), List.of(
                new PlannedStep("int8", Technique.QUANTIZE, Map.of(), "original"),
                new PlannedStep("student", Technique.DISTILL, Map.of("layers", 3), "original")));
        produce(evaluated(run, "original", 82.0, 40, 60));
        RunReported r = report(runId);
        assertThat(r.status()).isEqualTo(RunReported.Status.PARTIAL);
        assertThat(r.variants()).extracting(RunReported.Row::variantId).containsExactly("original");
        assertThat(r.missing()).extracting(RunReported.Missing::variantId).containsExactly("int8", "student");
        assertThat(r.missing()).allSatisfy(m -> assertThat(m.why()).contains("timed out"));
        assertThat(r.recommendation().variantId()).isEqualTo("original");
    }

    @Test
    void anUnknownRunDoesNotStallAnotherAndEndsAsADeadLetter() {
        String ghost = PipelineProbe.newRunId();
        String runId = PipelineProbe.newRunId();
        ModelIngested run = startRun(runId, Instant.now(), List.of());
        ModelIngested ghostRun = new ModelIngested(ghost, run.modelSha256(), run.model(), run.tokenizer(), run.recipe(),
                run.recipeSha256(), run.recipeSource(), List.of(), run.upload(), run.graph(), run.architecture(),
                Instant.now());
        // Both on partition 0 of verdant.evaluations: the unknown run's event first.
        probe.produce(evaluated(ghostRun, "original", 80.0, 40, 60), "evaluated:" + ghost + ":original", 0);
        probe.produce(evaluated(run, "original", 82.0, 40, 60), "evaluated:" + runId + ":original", 0);
        produce(usage(run, JobUsage.Kind.INGEST, null, 900, Instant.now(), Instant.now().plusSeconds(1)));
        produce(usage(run, JobUsage.Kind.EVALUATE, "original", 1800, Instant.now(), Instant.now().plusSeconds(1)));
        RunReported r = report(runId);
        assertThat(r.footprint().energyKwh()).isCloseTo(2700 / 3.6e6 * 1.2, org.assertj.core.api.Assertions.within(1e-12));
        assertThat(r.status()).isEqualTo(RunReported.Status.COMPLETE);
        assertThat(r.recommendation().variantId()).isEqualTo("original");

        // Usage that ended before it started: a dead letter naming the problem; the run goes on.
        Instant now = Instant.now();
        produce(usage(run, JobUsage.Kind.REPORT, null, 10, now, now.minusSeconds(5)));
        EventReader.Received negative = probe.awaitRecord("dead letter of the negative duration", x ->
                Topics.DEAD_LETTER.equals(x.topic()) && x.header("dead-letter-reason") != null
                        && x.header("dead-letter-reason").contains("NEGATIVE_DURATION")
                        && x.header("dead-letter-reason").contains(runId));
        assertThat(negative.header("dead-letter-reason")).contains("before it started");

        EventReader.Received dead = probe.awaitRecord("dead letter of the unknown run", x ->
                Topics.DEAD_LETTER.equals(x.topic()) && x.header("dead-letter-reason") != null
                        && x.header("dead-letter-reason").contains(ghost));
        assertThat(dead.header("dead-letter-reason")).startsWith("UNKNOWN_RUN").contains("runs/" + ghost + "/run.json");
        assertThat(dead.decoded().event()).isInstanceOf(VariantEvaluated.class);
        assertThat(probe.count(RunReported.class, x -> x.runId().equals(ghost))).isZero();
    }
}
