package dev.verdant.carbon.service.messaging;

import dev.verdant.carbon.service.core.CarbonAccounting;
import dev.verdant.carbon.service.core.Received;
import dev.verdant.events.CarbonLedgerEntry;
import dev.verdant.events.RunReported;
import dev.verdant.messaging.JobTelemetry;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/** What follows a received fact: its ledger entry published, and the run's report when it is ready. */
@ApplicationScoped
class RunReporter {
    private static final Logger LOG = Logger.getLogger(RunReporter.class);

    private final CarbonAccounting accounting;
    private final EventPublisher publisher;
    private final JobTelemetry telemetry;

    RunReporter(CarbonAccounting accounting, EventPublisher publisher, JobTelemetry telemetry) {
        this.accounting = accounting;
        this.publisher = publisher;
        this.telemetry = telemetry;
    }

    /**
     * @throws UnpricedUsageException for usage that cannot be priced: the record goes to the dead letters
     *         with the reason (the run goes on, its report notes the job)
     */
    void handle(Received received) {
        if (received instanceof Received.Recorded) {
            telemetry.current().ifPresent(j -> j.outcome("recorded", null, null));
        }
        if (received instanceof Received.Recorded r && r.ledgerEntry() != null) {
            CarbonLedgerEntry e = r.ledgerEntry();
            publisher.publish(e, "ledger:" + e.jobId());
            LOG.infof("run %s ledger %s: %.3e kWh x %.1f g/kWh (%s) = %.4f gCO2e [%s]", e.runId(), e.jobId(),
                    e.energyKwh(), e.carbonIntensityGPerKwh(), e.region(), e.emissionsG(),
                    e.energySource() == null ? "?" : e.energySource().wireName());
        } else if (received instanceof Received.Parked p) {
            LOG.warnf("run %s: %s", p.runId(), p.message());
            telemetry.current().ifPresent(j -> j.outcome("parked", null, null));
            return;
        } else if (received instanceof Received.Refused f) {
            telemetry.current().ifPresent(j -> j.outcome("refused", f.reason(), null));
            reportIfReady(f.runId());
            throw new UnpricedUsageException(f.reason() + ": " + f.message());
        }
        reportIfReady(received.runId());
    }

    /** Emits the run's verdict once, if it is ready. */
    void reportIfReady(String runId) {
        accounting.reportIfReady(runId, this::publishReport).ifPresent(prepared -> {
            RunReported r = prepared.event();
            LOG.infof("run %s reported: %s, %d model(s), front %s, recommended %s, footprint %.4f gCO2e, missing %s",
                    r.runId(), r.status().wireName(), r.variants().size(), r.paretoFront(),
                    r.recommendation() == null ? "none" : r.recommendation().variantId(), r.footprint().emissionsG(),
                    r.missing().stream().map(RunReported.Missing::variantId).toList());
        });
    }

    /** The verdict as span "report RUN" (a child of the fact that completed the run), counted by status. */
    private void publishReport(RunReported report) {
        try (JobTelemetry.Job job = telemetry.start("report " + report.runId(), "report", report.runId(), null)) {
            publisher.publish(report, "reported:" + report.runId());
            job.outcome(report.status().wireName(), null, null);
        }
    }

    /** Usage the ledger refuses (negative duration, invalid figures): its dead-letter reason. */
    static final class UnpricedUsageException extends RuntimeException {
        UnpricedUsageException(String message) {
            super(message);
        }
    }
}
