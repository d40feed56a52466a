package dev.verdant.carbon;

import dev.verdant.events.CarbonLedgerEntry;
import dev.verdant.events.JobUsage;
import java.time.Instant;
import java.util.Optional;

/**
 * Prices a job: a {@link JobUsage} + region + PUE becomes a {@link CarbonLedgerEntry}.
 * <pre>
 *   energyKwh  = energyJoules / 3.6e6 x PUE        (energy at the plug)
 *   emissionsG = energyKwh x carbon intensity [gCO2e/kWh]
 * </pre>
 * durationSeconds is the job's wall time. A usage the ledger cannot price (it ended before it
 * started, a figure that is not a finite number, a region nobody knows and no fallback chosen) is a
 * {@link Refused} with a reason code and a sentence, for the service to send to the dead-letter
 * topic; it is never priced with made-up figures.
 */
public final class LedgerEntries {
    private final CarbonIntensities intensities;
    private final Optional<CarbonIntensities.Fallback> fallback;

    private LedgerEntries(CarbonIntensities intensities, Optional<CarbonIntensities.Fallback> fallback) {
        this.intensities = intensities;
        this.fallback = fallback;
    }

    /** Unknown regions are refused. */
    public static LedgerEntries strict(CarbonIntensities intensities) {
        return new LedgerEntries(intensities, Optional.empty());
    }

    /** Unknown regions are priced with the fallback's figure, and the entry's intensitySource says so. */
    public static LedgerEntries withFallback(CarbonIntensities intensities, CarbonIntensities.Fallback fallback) {
        return new LedgerEntries(intensities, Optional.of(fallback));
    }

    public sealed interface Pricing {
    }

    public record Priced(CarbonLedgerEntry entry) implements Pricing {
    }

    public record Refused(Reason reason, String message) implements Pricing {
    }

    public enum Reason {
        /** endedAt is before startedAt. */
        NEGATIVE_DURATION,
        /** Missing usage, or a figure that is negative, NaN or infinite. */
        INVALID_USAGE,
        /** The region resolves to no intensity and no fallback was chosen. */
        UNKNOWN_REGION
    }

    /** Prices a job at the region's intensity from the packaged tables. */
    public Pricing price(JobUsage job, String region, Pue pue, Instant recordedAt) {
        IntensityLookup lookup = intensities.lookup(region);
        Intensity intensity;
        if (lookup instanceof IntensityLookup.Found found) {
            intensity = found.intensity();
        } else if (fallback.isPresent()) {
            intensity = intensities.lookupOr(region, fallback.get());
        } else {
            return new Refused(Reason.UNKNOWN_REGION, ((IntensityLookup.UnknownRegion) lookup).message());
        }
        return price(job, intensity, pue, recordedAt);
    }

    /** Prices a job at a given intensity (e.g. a live reading). */
    public static Pricing price(JobUsage job, Intensity intensity, Pue pue, Instant recordedAt) {
        if (job == null || job.usage() == null) {
            return new Refused(Reason.INVALID_USAGE, "no usage to price");
        }
        var usage = job.usage();
        if (!finiteNonNegative(usage.energyJoules()) || !finiteNonNegative(usage.wallSeconds())
                || !finiteNonNegative(usage.cpuSeconds())) {
            return new Refused(Reason.INVALID_USAGE, "job " + job.jobId() + ": usage figures must be finite and >= 0,"
                    + " got cpu " + usage.cpuSeconds() + " s, wall " + usage.wallSeconds() + " s, energy "
                    + usage.energyJoules() + " J");
        }
        if (job.startedAt() != null && job.endedAt() != null && job.endedAt().isBefore(job.startedAt())) {
            return new Refused(Reason.NEGATIVE_DURATION, "job " + job.jobId() + " ended (" + job.endedAt()
                    + ") before it started (" + job.startedAt() + ")");
        }
        double energyKwh = energyKwhAtPlug(usage.energyJoules(), pue);
        return new Priced(new CarbonLedgerEntry(job.runId(), job.modelSha256(), job.jobId(), job.kind(), job.variantId(),
                usage.wallSeconds(), energyKwh, usage.energySource(), pue.value(), intensity.region(),
                intensity.gPerKwh(), intensity.source(), emissionsG(energyKwh, intensity.gPerKwh()), recordedAt));
    }

    /** energyKwh = joules / 3.6e6 x PUE. */
    public static double energyKwhAtPlug(double joules, Pue pue) {
        return pue.atPlug(CodeCarbonModel.kwh(joules));
    }

    /** emissionsG = energyKwh x intensity (gCO2e/kWh). */
    public static double emissionsG(double energyKwh, double intensityGPerKwh) {
        Quantities.requireNonNegative("energy (kWh)", energyKwh);
        Quantities.requireNonNegative("carbon intensity (gCO2e/kWh)", intensityGPerKwh);
        return energyKwh * intensityGPerKwh;
    }

    private static boolean finiteNonNegative(double value) {
        return Double.isFinite(value) && value >= 0;
    }
}
