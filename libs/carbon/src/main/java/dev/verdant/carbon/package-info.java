/**
 * Verdant's energy and carbon core, without framework types.
 *
 * <ul>
 *   <li>Energy: {@link dev.verdant.carbon.EnergyMeter} measures a job (CPU seconds, wall seconds,
 *       joules and the {@link dev.verdant.events.EnergySource} tag): RAPL and NVML where readable,
 *       else CodeCarbon's TDP model ({@link dev.verdant.carbon.CpuPowerTable},
 *       {@link dev.verdant.carbon.CpuPower}) plus 0.375 W per GiB of RAM.</li>
 *   <li>Carbon intensity: {@link dev.verdant.carbon.CarbonIntensities} resolves a region (ISO
 *       alpha-3 country, {@code WLD}, {@code owid:}, {@code gcp:}/{@code aws:}/{@code azure:}) to
 *       gCO2e/kWh with its source; {@link dev.verdant.carbon.Pue}.</li>
 *   <li>Formulas, each a small pure function: {@link dev.verdant.carbon.MlCo2Impact},
 *       {@link dev.verdant.carbon.CodeCarbonModel}, {@link dev.verdant.carbon.SoftwareCarbonIntensity},
 *       {@link dev.verdant.carbon.CarbonPayback}.</li>
 *   <li>Accounting: {@link dev.verdant.carbon.LedgerEntries} prices a {@code JobUsage} into a
 *       {@code CarbonLedgerEntry}; {@link dev.verdant.carbon.EmissionsCsv} writes CodeCarbon's
 *       emissions.csv layout.</li>
 * </ul>
 *
 * The data tables are packaged under {@code dev/verdant/carbon/data/} (see the README there).
 * Formulas, defaults and their sources: docs/carbon.md.
 */
package dev.verdant.carbon;
