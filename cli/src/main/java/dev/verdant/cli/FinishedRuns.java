package dev.verdant.cli;

import dev.verdant.events.BucketLayout;
import dev.verdant.events.EventJson;
import dev.verdant.events.JobUsage;
import dev.verdant.events.ModelIngested;
import dev.verdant.events.RunReported;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Finished runs as the services left them in a local bucket folder (s3proxy's filesystem backend
 * keeps each object as a file under {@code <workspace>/infra/s3/blobs/<bucket>/}): a run is
 * finished when its report.json exists. Read straight from the files, so nothing needs to run.
 *
 * @param bucketDir the bucket's folder
 */
record FinishedRuns(Path bucketDir) {

    /** One finished run: what ingest recorded, the verdict, and the usage of every job the carbon service received. */
    record Run(ModelIngested ingested, RunReported report, List<JobUsage> jobs) {

        String runId() {
            return ingested.runId();
        }

        /** The first job's start: ingest starts when the upload is seen (the poller lists the bucket every few seconds). */
        Instant firstJobStart() {
            return jobs.stream().map(JobUsage::startedAt).min(Comparator.naturalOrder()).orElse(ingested.ingestedAt());
        }

        /** From the upload seen (ingest's start) to the verdict (run.reported's reportedAt). */
        double uploadToVerdictSeconds() {
            return Duration.between(firstJobStart(), report.reportedAt()).toNanos() / 1e9;
        }

        double sumWallSeconds() {
            return jobs.stream().mapToDouble(j -> j.usage().wallSeconds()).sum();
        }

        double sumCpuSeconds() {
            return jobs.stream().mapToDouble(j -> j.usage().cpuSeconds()).sum();
        }

        /** Wall time during which at least one job ran: the union of the jobs' [startedAt, endedAt]. */
        double busySeconds() {
            List<JobUsage> sorted = jobs.stream().sorted(Comparator.comparing(JobUsage::startedAt)).toList();
            double busy = 0;
            Instant start = null;
            Instant end = null;
            for (JobUsage job : sorted) {
                if (end == null || job.startedAt().isAfter(end)) {
                    if (end != null) {
                        busy += Duration.between(start, end).toNanos() / 1e9;
                    }
                    start = job.startedAt();
                    end = job.endedAt();
                } else if (job.endedAt().isAfter(end)) {
                    end = job.endedAt();
                }
            }
            if (end != null) {
                busy += Duration.between(start, end).toNanos() / 1e9;
            }
            return busy;
        }
    }

    /** The default recipe's student (made by the distillation service in a finished run of that recipe). */
    record Student(Path file, String runId) {
    }

    /** Every finished run in the bucket folder, newest verdict first; runs whose files cannot be read are left out. */
    List<Run> all() {
        Path runs = bucketDir.resolve("runs");
        if (!Files.isDirectory(runs)) {
            return List.of();
        }
        List<Run> found = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(runs)) {
            for (Path dir : dirs.sorted().toList()) {
                read(dir.getFileName().toString()).ifPresent(found::add);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        found.sort(Comparator.comparing((Run r) -> r.report().reportedAt()).reversed());
        return found;
    }

    /** A run by id, if it is finished and readable. */
    Optional<Run> read(String runId) {
        Path marker = bucketDir.resolve(BucketLayout.runMarkerKey(runId));
        Path report = bucketDir.resolve(BucketLayout.reportJsonKey(runId));
        Path usage = bucketDir.resolve(BucketLayout.runPrefix(runId)).resolve("carbon/usage");
        if (!Files.isRegularFile(marker) || !Files.isRegularFile(report)) {
            return Optional.empty();
        }
        try {
            ModelIngested ingested = EventJson.fromBytes(Files.readAllBytes(marker), ModelIngested.class);
            RunReported reported = EventJson.fromBytes(Files.readAllBytes(report), RunReported.class);
            List<JobUsage> jobs = new ArrayList<>();
            if (Files.isDirectory(usage)) {
                try (Stream<Path> files = Files.list(usage)) {
                    for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                        jobs.add(EventJson.fromBytes(Files.readAllBytes(file), JobUsage.class));
                    }
                }
            }
            return Optional.of(new Run(ingested, reported, jobs));
        } catch (IOException | RuntimeException unreadable) {
            return Optional.empty();
        }
    }

    /**
     * The newest student made for a run of the recipe with this hash (the student's file is kept at
     * runs/&lt;runId&gt;/variants/student.onnx), if any.
     */
    Optional<Student> student(String recipeSha256, String variantId) {
        return all().stream()
                .filter(run -> recipeSha256.equals(run.ingested().recipeSha256()))
                .map(run -> new Student(bucketDir.resolve(BucketLayout.variantKey(run.runId(), variantId)), run.runId()))
                .filter(s -> Files.isRegularFile(s.file()))
                .findFirst();
    }
}
