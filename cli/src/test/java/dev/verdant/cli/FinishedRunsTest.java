package dev.verdant.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.verdant.events.BucketLayout;
import dev.verdant.events.EnergySource;
import dev.verdant.events.EventJson;
import dev.verdant.events.JobUsage;
import dev.verdant.events.ModelIngested;
import dev.verdant.events.RunReported;
import dev.verdant.events.Usage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A finished run in a bucket folder laid out as s3proxy keeps it: the golden examples of schemas/ plus job usage. */
class FinishedRunsTest {
    @TempDir
    Path bucket;

    private ModelIngested ingested;
    private String runId;

    private static byte[] example(String name) throws IOException {
        try (InputStream in = FinishedRunsTest.class.getClassLoader().getResourceAsStream("schemas/examples/" + name)) {
            return in.readAllBytes();
        }
    }

    @BeforeEach
    void aFinishedRun() throws IOException {
        ingested = EventJson.fromBytes(example("model-ingested.json"), ModelIngested.class);
        runId = ingested.runId();
        write(BucketLayout.runMarkerKey(runId), example("model-ingested.json"));
        RunReported report = EventJson.fromBytes(example("run-reported.json"), RunReported.class);
        assertThat(report.reportedAt()).isEqualTo(Instant.parse("2026-11-28T12:00:00Z"));
        write(BucketLayout.reportJsonKey(runId), EventJson.toBytes(report));
        // ingest 4 s, then quantize and prune overlapping (10..34 and 20..50: 40 s busy), then an evaluation of 30 s
        job(JobUsage.Kind.INGEST, null, "11:50:00", "11:50:04", 3.5);
        job(JobUsage.Kind.QUANTIZE, "int8-dynamic", "11:50:10", "11:50:34", 40);
        job(JobUsage.Kind.PRUNE, "ffn-pruned", "11:50:20", "11:50:50", 50);
        job(JobUsage.Kind.EVALUATE, "original", "11:55:00", "11:55:30", 58);
    }

    private void job(JobUsage.Kind kind, String variant, String start, String end, double cpu) throws IOException {
        Instant s = Instant.parse("2026-11-28T" + start + "Z");
        Instant e = Instant.parse("2026-11-28T" + end + "Z");
        double wall = (e.toEpochMilli() - s.toEpochMilli()) / 1000.0;
        String jobId = JobUsage.jobId(runId, kind, variant);
        JobUsage usage = new JobUsage(runId, ingested.modelSha256(), jobId, kind.wireName(), kind, variant,
                new Usage(cpu, wall, cpu * 4, EnergySource.ESTIMATED_TDP), new JobUsage.Host("AMD EPYC", 2, 1L << 34), s, e);
        write(BucketLayout.runPrefix(runId) + "carbon/usage/" + jobId.replace(':', '_') + ".json", EventJson.toBytes(usage));
    }

    private void write(String key, byte[] bytes) throws IOException {
        Path file = bucket.resolve(key);
        Files.createDirectories(file.getParent());
        Files.write(file, bytes);
    }

    @Test
    void readsTheRunWithItsJobsAndTimesIt() {
        FinishedRuns.Run run = new FinishedRuns(bucket).read(runId).orElseThrow();
        assertThat(run.jobs()).hasSize(4);
        assertThat(run.firstJobStart()).isEqualTo(Instant.parse("2026-11-28T11:50:00Z"));
        assertThat(run.uploadToVerdictSeconds()).isCloseTo(600, within(1e-9));
        assertThat(run.busySeconds()).isCloseTo(4 + 40 + 30, within(1e-9));
        assertThat(run.sumWallSeconds()).isCloseTo(4 + 24 + 30 + 30, within(1e-9));
        assertThat(run.sumCpuSeconds()).isCloseTo(3.5 + 40 + 50 + 58, within(1e-9));
        assertThat(new FinishedRuns(bucket).all()).extracting(FinishedRuns.Run::runId).containsExactly(runId);
    }

    @Test
    void aRunWithoutReportIsNotFinished() throws IOException {
        Files.delete(bucket.resolve(BucketLayout.reportJsonKey(runId)));
        assertThat(new FinishedRuns(bucket).read(runId)).isEmpty();
        assertThat(new FinishedRuns(bucket).all()).isEmpty();
        assertThat(new FinishedRuns(bucket.resolve("nothing-here")).all()).isEmpty();
    }

    @Test
    void theStudentComesOnlyFromARunOfTheSameRecipe() throws IOException {
        FinishedRuns runs = new FinishedRuns(bucket);
        assertThat(runs.student(ingested.recipeSha256(), "student")).isEmpty(); // no student file yet
        write(BucketLayout.variantKey(runId, "student"), new byte[] {1, 2, 3});
        FinishedRuns.Student student = runs.student(ingested.recipeSha256(), "student").orElseThrow();
        assertThat(student.runId()).isEqualTo(runId);
        assertThat(student.file()).isEqualTo(bucket.resolve(BucketLayout.variantKey(runId, "student")));
        assertThat(runs.student("0".repeat(64), "student")).isEmpty();
    }
}
