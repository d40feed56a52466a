package dev.verdant.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.verdant.events.RunReported;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Not in the default build (it takes minutes on two cores, beyond the chaos tests' CI budget): run it
 * with {@code ./mvnw -B -pl e2e-tests verify -Dit.test=LoadIT -Dverdant.chaos.load=true}
 * (docs/reliability.md has its last output).
 *
 * <p>Ten runs at once (ten tiny models, each with the chaos recipe: four variants, five evaluations):
 * all reach their verdict with every fact once, and each service's resident memory, sampled every
 * second, stays within a bound: its heap cap (-Xmx, as verdant up sets it) plus 768 MB for the JVM
 * itself and native memory (ONNX Runtime, PyTorch).
 */
@EnabledIfSystemProperty(named = "verdant.chaos.load", matches = "true",
        disabledReason = "minutes of load: run with -Dverdant.chaos.load=true (docs/reliability.md)")
class LoadIT {

    @BeforeAll
    static void takeTheFleet() {
        ChaosFleet.acquire();
    }

    @AfterAll
    static void letGoOfTheFleet() {
        ChaosFleet.release();
    }
    static final int RUNS = 10;
    static final long NATIVE_ALLOWANCE_MB = 768;

    @Test
    void tenRunsAtOnceAllCompleteWithEveryFactOnceAndBoundedMemory() throws Exception {
        ChaosFleet fleet = ChaosFleet.shared();
        Map<String, Long> maxRss = new ConcurrentHashMap<>();
        AtomicBoolean sampling = new AtomicBoolean(true);
        Thread sampler = new Thread(() -> {
            while (sampling.get()) {
                for (String service : ChaosFleet.SERVICES.keySet()) {
                    long mb = fleet.alive(service) ? fleet.rssMb(service) : -1;
                    maxRss.merge(service, mb, Math::max);
                }
                Journeys.sleep(1_000);
            }
        }, "rss-sampler");
        sampler.setDaemon(true);
        sampler.start();

        List<ChaosRun> runs = new ArrayList<>();
        for (int i = 0; i < RUNS; i++) {
            runs.add(ChaosRun.tiny(fleet, "load-" + i, 910 + i));
        }
        long t0 = System.nanoTime();
        List<String> runIds = new ArrayList<>();
        for (ChaosRun run : runs) {
            runIds.add(run.submit(fleet));
        }
        double submitted = (System.nanoTime() - t0) / 1e9;
        Map<String, Double> reportedAfter = new LinkedHashMap<>();
        for (String runId : runIds) {
            RunReported report = ChaosRun.awaitReport(fleet, runId, Duration.ofMinutes(12));
            reportedAfter.put(runId, (System.nanoTime() - t0) / 1e9);
            assertThat(report.status()).as(runId).isEqualTo(RunReported.Status.COMPLETE);
        }
        double all = (System.nanoTime() - t0) / 1e9;
        sampling.set(false);
        sampler.join(5_000);

        System.out.printf("LoadIT: %d runs submitted back to back in %.1f s; all reported %.1f s after the first"
                + " submit (last verdicts at %s s)%n", RUNS, submitted, all, reportedAfter.values().stream()
                        .map(s -> String.format("%.0f", s)).toList());
        for (String runId : runIds) {
            RunAudit.of(fleet, runId).assertEveryFactOnce(ChaosRun.VARIANTS, ChaosRun.expectedJobs(runId));
        }
        System.out.println("LoadIT: every fact of every run once (RunAudit)");
        System.out.println("LoadIT: memory per service during the load (VmRSS sampled every second; heap by jcmd"
                + " GC.heap_info at the end):");
        for (Map.Entry<String, String> s : ChaosFleet.SERVICES.entrySet()) {
            String service = s.getKey();
            System.out.printf("  %-12s -Xmx%-5s max RSS %5d MB, peak RSS (VmHWM) %5d MB, %s%n", service, s.getValue(),
                    maxRss.get(service), ChaosFleet.procStatusMb(fleet.pid(service), "VmHWM:"),
                    fleet.heapInfo(service).orElse("heap n/a"));
        }
        for (Map.Entry<String, String> s : ChaosFleet.SERVICES.entrySet()) {
            long bound = heapMb(s.getValue()) + NATIVE_ALLOWANCE_MB;
            assertThat(maxRss.get(s.getKey())).as("max RSS of " + s.getKey() + " in MB (bound " + bound + " MB)")
                    .isPositive().isLessThan(bound);
        }
    }

    private static long heapMb(String xmx) {
        return xmx.endsWith("g") ? Long.parseLong(xmx.substring(0, xmx.length() - 1)) * 1024
                : Long.parseLong(xmx.substring(0, xmx.length() - 1));
    }
}
