package dev.verdant.carbon.service.messaging;

import dev.verdant.carbon.service.core.CarbonAccounting;
import dev.verdant.carbon.service.core.Received;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Every sweep interval: parked events whose run appeared are accounted for, those past the grace go
 * to the dead letters, and every open run is checked (a run whose last variant never comes is reported
 * when its timeout passes, with no event to trigger it). One thread; any instance may do it.
 */
@ApplicationScoped
class RunSweeper {
    private static final Logger LOG = Logger.getLogger(RunSweeper.class);

    private final CarbonAccounting accounting;
    private final RunReporter reporter;
    private final EventPublisher publisher;
    private final CarbonConfig config;
    private ScheduledExecutorService timer;

    RunSweeper(CarbonAccounting accounting, RunReporter reporter, EventPublisher publisher, CarbonConfig config) {
        this.accounting = accounting;
        this.reporter = reporter;
        this.publisher = publisher;
        this.config = config;
    }

    void start(@Observes StartupEvent ignored) {
        long ms = config.carbon().sweepInterval().toMillis();
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "verdant-carbon-sweep");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::sweepSafely, ms, ms, TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent ignored) {
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    private void sweepSafely() {
        try {
            sweep();
        } catch (RuntimeException e) {
            // The next sweep tries again; the state is in the bucket.
            LOG.warnf(e, "carbon sweep failed: %s", e.getMessage());
        }
    }

    void sweep() {
        CarbonAccounting.Sweep sweep = accounting.sweep();
        for (Received received : sweep.replayed()) {
            try {
                reporter.handle(received);
            } catch (RunReporter.UnpricedUsageException e) {
                LOG.warnf("run %s: parked usage not priced: %s", received.runId(), e.getMessage());
            }
        }
        for (CarbonAccounting.DeadLetter letter : sweep.deadLetters()) {
            publisher.deadLetter(letter.event(), "parked:" + letter.parkedKey(), letter.reason());
            accounting.forget(letter);
            LOG.warnf("run %s: %s (sent to verdant.dead-letter)", letter.event().runId(), letter.reason());
        }
        for (String runId : sweep.openRuns()) {
            reporter.reportIfReady(runId);
        }
    }
}
