package dev.verdant.carbon.service.core;

import dev.verdant.carbon.SoftwareCarbonIntensity;
import java.time.Duration;

/**
 * How the carbon service decides and prices.
 *
 * @param runTimeout a run is reported (partial, saying what is missing) this long after its ingestion
 *        even when planned variants never arrived
 * @param usageSettle once every planned model is evaluated or failed, how long to wait for job usage
 *        that has not arrived yet (each evaluation emits its usage just after its result) before
 *        reporting without it
 * @param unknownRunGrace how long an event of a run with no run marker is kept (parked) waiting for the
 *        marker before it goes to the dead-letter topic
 * @param claimTtl how long one instance's claim on reporting a run holds before another may take over
 *        (an instance that died while reporting)
 * @param hardware the embodied-emissions figures of the SCI (TE, EL, ToR)
 * @param instanceId who this instance is, in report claims
 */
public record CarbonSettings(Duration runTimeout, Duration usageSettle, Duration unknownRunGrace, Duration claimTtl,
        SoftwareCarbonIntensity.Hardware hardware, String instanceId) {

    public CarbonSettings {
        requirePositive("run timeout", runTimeout);
        requirePositive("unknown-run grace period", unknownRunGrace);
        requirePositive("report claim ttl", claimTtl);
        if (usageSettle == null || usageSettle.isNegative()) {
            throw new IllegalArgumentException("the usage settle time must be zero or more, got " + usageSettle);
        }
        if (hardware == null) {
            throw new IllegalArgumentException("the SCI needs hardware figures (verdant.carbon.hardware.*)");
        }
        if (instanceId == null || instanceId.isBlank()) {
            throw new IllegalArgumentException("an instance id is needed for report claims");
        }
    }

    private static void requirePositive(String what, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("the " + what + " must be positive, got " + d);
        }
    }

    /** The hardware figures in words, for the report. */
    public String hardwareBasis() {
        return String.format(java.util.Locale.ROOT, "%.0f kgCO2e embodied over %d days, shared by %d logical CPUs",
                hardware.totalEmbodiedKg(), hardware.expectedLifespan().toDays(), hardware.totalLogicalCpus());
    }
}
