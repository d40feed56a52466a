package dev.verdant.events;

import java.time.Instant;

/** One job priced in energy and CO2e: emissionsG = energyKwh x carbonIntensityGPerKwh. */
public record CarbonLedgerEntry(String runId, String modelSha256, String jobId, JobUsage.Kind kind, String variantId,
        Double durationSeconds, double energyKwh, EnergySource energySource, double pue, String region,
        double carbonIntensityGPerKwh, String intensitySource, double emissionsG, Instant recordedAt)
        implements VerdantEvent {

    @Override
    public String partitionKey() {
        return jobId;
    }
}
