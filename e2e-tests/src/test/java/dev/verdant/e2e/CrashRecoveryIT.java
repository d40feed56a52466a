package dev.verdant.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.verdant.events.BucketLayout;
import dev.verdant.events.RunReported;
import dev.verdant.store.ArtifactStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * kill -9 of every service in the middle of one run, each restarted at once: the run still reaches
 * its verdict with every fact once ({@link RunAudit}).
 *
 * <p>"In the middle" is observed, not guessed: ingest, the three technique services and evaluation
 * make a scratch folder per job in their work folder and delete it when the job's work is done,
 * before anything is published; each service is killed the moment its first folder for the run
 * appears, and the folder left behind by the dead process proves the job was cut. The carbon
 * service is killed once it has stored three facts of the run and before the verdict. Nothing the
 * killed job did is acknowledged: after the restart the record is delivered again and the job done
 * again (at-least-once delivery, idempotent jobs keyed by run, technique and variant).
 */
class CrashRecoveryIT {

    @BeforeAll
    static void takeTheFleet() {
        ChaosFleet.acquire();
    }

    @AfterAll
    static void letGoOfTheFleet() {
        ChaosFleet.release();
    }
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(6);

    private static volatile boolean runOver;

    /** One kill: when its trigger fired, what it cut, and how long the restart took. */
    record Crash(String service, Instant killedAt, String cut, double restartSeconds) {
    }

    @Test
    void everyServiceKilledMidRunAndRestartedTheRunCompletesWithEveryFactOnce() throws Exception {
        ChaosFleet fleet = ChaosFleet.shared();
        ChaosRun run = ChaosRun.tiny(fleet, "crash", 901);
        AtomicReference<String> runId = new AtomicReference<>();
        long t0 = System.nanoTime();

        ExecutorService watchers = Executors.newFixedThreadPool(ChaosFleet.SERVICES.size());
        List<Future<Crash>> crashes = new ArrayList<>();
        Instant armedUntil = Instant.now().plus(RUN_TIMEOUT);
        for (String service : List.of("ingest", "quantization", "pruning", "distillation", "evaluation")) {
            Path work = fleet.workDir(service);
            String prefix = service.equals("ingest") ? "ingest-" : "run-";
            crashes.add(watchers.submit(() -> killWhen(fleet, service, armedUntil,
                    () -> firstEntry(work, prefix).map(p -> "job folder " + p.getFileName()))));
        }
        crashes.add(watchers.submit(() -> killWhen(fleet, "carbon", armedUntil, () -> carbonMidRun(fleet, runId.get()))));

        runId.set(run.submit(fleet));
        RunReported report = ChaosRun.awaitReport(fleet, runId.get(), RUN_TIMEOUT);
        double seconds = (System.nanoTime() - t0) / 1e9;

        // Watchers still waiting now saw no job of the run: they stop and say so.
        runOver = true;
        List<Crash> done = new ArrayList<>();
        for (Future<Crash> f : crashes) {
            done.add(f.get(2, TimeUnit.MINUTES));
        }
        watchers.shutdown();
        System.out.printf("CrashRecoveryIT: run %s reported %s in %.1f s, with these kills:%n", runId.get(),
                report.status(), seconds);
        for (Crash c : done) {
            System.out.printf("  %-12s killed at %s (%s); restarted and ready in %.1f s%n", c.service(), c.killedAt(),
                    c.cut(), c.restartSeconds());
        }
        RunAudit audit = RunAudit.of(fleet, runId.get());
        System.out.println("CrashRecoveryIT: " + audit.summary());
        assertThat(done).extracting(Crash::service).containsExactlyInAnyOrder(ChaosFleet.SERVICES.keySet()
                .toArray(String[]::new));
        assertThat(done).as("every service was killed while handling the run").allSatisfy(c ->
                assertThat(c.killedAt()).as(c.service() + ": " + c.cut()).isNotNull());
        for (Crash c : done) {
            if (!c.service().equals("carbon")) {
                // The dead process could not remove its job folder: the job was cut, not finished.
                assertThat(c.cut()).as(c.service() + " killed mid-job").contains("left behind: true");
            }
        }
        audit.assertEveryFactOnce(ChaosRun.VARIANTS, ChaosRun.expectedJobs(runId.get()));
    }

    /** Polls {@code trigger} every 5 ms; when it answers, kill -9 the service, then start it again. */
    private static Crash killWhen(ChaosFleet fleet, String service, Instant until, Supplier<Optional<String>> trigger) {
        while (Instant.now().isBefore(until) && !runOver) {
            Optional<String> cut = trigger.get();
            if (cut.isPresent()) {
                Instant killedAt = Instant.now();
                fleet.kill9(service);
                long t0 = System.nanoTime();
                fleet.start(service);
                return new Crash(service, killedAt, cut.get() + " left behind: "
                        + stillThere(fleet, service, cut.get()), (System.nanoTime() - t0) / 1e9);
            }
            Journeys.sleep(5);
        }
        return new Crash(service, null, "never seen handling the run: not killed", 0);
    }

    private static String stillThere(ChaosFleet fleet, String service, String cut) {
        if (!cut.startsWith("job folder ")) {
            return "n/a";
        }
        return Boolean.toString(Files.isDirectory(fleet.workDir(service).resolve(cut.substring("job folder ".length()))));
    }

    private static Optional<Path> firstEntry(Path dir, String prefix) {
        try (var entries = Files.list(dir)) {
            return entries.filter(p -> p.getFileName().toString().startsWith(prefix)).findFirst();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Carbon has stored at least three facts of the run and no verdict yet. */
    private static Optional<String> carbonMidRun(ChaosFleet fleet, String runId) {
        if (runId == null) {
            return Optional.empty();
        }
        Journeys.sleep(100);
        try (ArtifactStore store = fleet.store()) {
            String prefix = BucketLayout.runPrefix(runId) + "carbon/";
            List<String> facts = store.list(prefix, true).stream().map(o -> o.key().substring(prefix.length()))
                    .toList();
            if (facts.size() >= 3 && !store.exists(BucketLayout.reportJsonKey(runId))) {
                return Optional.of(facts.size() + " facts stored, no verdict yet: " + facts);
            }
        } catch (RuntimeException storeBusy) {
            // try again
        }
        return Optional.empty();
    }
}
