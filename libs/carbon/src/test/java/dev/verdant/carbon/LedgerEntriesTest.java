package dev.verdant.carbon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.verdant.events.CarbonLedgerEntry;
import dev.verdant.events.EnergySource;
import dev.verdant.events.JobUsage;
import dev.verdant.events.Schemas;
import dev.verdant.events.Usage;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class LedgerEntriesTest {
    static final String RUN = "run-0a25de7515f1ebda49f5";
    static final String SHA = "6fd5d72fe4589f189f8ebc006442dbb529bb7ce38f8082112682524616046452";
    static final Instant RECORDED = Instant.parse("2026-11-28T12:00:00Z");

    /** The job of schemas/examples/job-usage.json. */
    static JobUsage quantizeJob(Usage usage, Instant started, Instant ended) {
        return new JobUsage(RUN, SHA, JobUsage.jobId(RUN, JobUsage.Kind.QUANTIZE, "int8-dynamic"), "quantization",
                JobUsage.Kind.QUANTIZE, "int8-dynamic", usage,
                new JobUsage.Host("Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz", 2, 24_000_000_000L), started, ended);
    }

    static JobUsage exampleJob() {
        return quantizeJob(new Usage(41.2, 23.9, 1133.0, EnergySource.ESTIMATED_TDP),
                Instant.parse("2026-11-28T11:59:36Z"), Instant.parse("2026-11-28T12:00:00Z"));
    }

    private final LedgerEntries ledger = LedgerEntries.strict(CarbonIntensities.packaged());

    @Test
    void pricesTheSchemaExampleAndTheEntryValidates() {
        LedgerEntries.Pricing pricing = ledger.price(exampleJob(), "FRA", Pue.DEFAULT, RECORDED);

        assertThat(pricing).isInstanceOf(LedgerEntries.Priced.class);
        CarbonLedgerEntry entry = ((LedgerEntries.Priced) pricing).entry();
        // 1133 J / 3.6e6 x 1.0 = 3.14722e-4 kWh; x 56.039 g/kWh = 0.0176368 g
        // (schemas/examples/carbon-ledger-entry.json shows 3.147E-4 kWh and 0.0176 g, rounded, at 56.0)
        assertThat(entry.energyKwh()).isCloseTo(3.147e-4, within(1e-7));
        assertThat(entry.emissionsG()).isCloseTo(1133 / 3.6e6 * 56.039, within(1e-15)).isCloseTo(0.0176, within(1e-4));
        assertThat(entry.carbonIntensityGPerKwh()).isEqualTo(56.039);
        assertThat(entry.intensitySource()).isEqualTo("codecarbon:global_energy_mix (2023)");
        assertThat(entry.region()).isEqualTo("FRA");
        assertThat(entry.durationSeconds()).isEqualTo(23.9);
        assertThat(entry.energySource()).isEqualTo(EnergySource.ESTIMATED_TDP);
        assertThat(entry.jobId()).isEqualTo("run-0a25de7515f1ebda49f5:quantize:int8-dynamic");
        assertThat(entry.kind()).isEqualTo(JobUsage.Kind.QUANTIZE);
        assertThat(entry.recordedAt()).isEqualTo(RECORDED);
        assertThat(Schemas.validate(entry)).isEmpty();
    }

    @Test
    void pueScalesEnergyAndEmissions() {
        CarbonLedgerEntry entry = ((LedgerEntries.Priced) ledger.price(exampleJob(), "gcp:europe-west1", Pue.of(1.1),
                RECORDED)).entry();
        // 1133 / 3.6e6 x 1.1 = 3.46194e-4 kWh; x 122 = 0.0422357 g
        assertThat(entry.energyKwh()).isCloseTo(1133 / 3.6e6 * 1.1, within(1e-15));
        assertThat(entry.emissionsG()).isCloseTo(1133 / 3.6e6 * 1.1 * 122, within(1e-15));
        assertThat(entry.pue()).isEqualTo(1.1);
        assertThat(Schemas.validate(entry)).isEmpty();
    }

    @Test
    void anUnknownRegionIsRefusedUnlessAFallbackWasChosen() {
        LedgerEntries.Pricing refused = ledger.price(exampleJob(), "XYZ", Pue.DEFAULT, RECORDED);
        assertThat(refused).isInstanceOf(LedgerEntries.Refused.class);
        assertThat(((LedgerEntries.Refused) refused).reason()).isEqualTo(LedgerEntries.Reason.UNKNOWN_REGION);
        assertThat(((LedgerEntries.Refused) refused).message()).startsWith("unknown region 'XYZ'");

        LedgerEntries lenient = LedgerEntries.withFallback(CarbonIntensities.packaged(), CarbonIntensities.Fallback.WORLD);
        CarbonLedgerEntry entry = ((LedgerEntries.Priced) lenient.price(exampleJob(), "XYZ", Pue.DEFAULT, RECORDED)).entry();
        assertThat(entry.region()).isEqualTo("XYZ");
        assertThat(entry.carbonIntensityGPerKwh()).isEqualTo(442.369);
        assertThat(entry.intensitySource()).startsWith("fallback WLD for unknown region 'XYZ'");
        assertThat(Schemas.validate(entry)).isEmpty();
    }

    @Test
    void aJobThatEndsBeforeItStartsIsRefused() {
        JobUsage backwards = quantizeJob(new Usage(1, 1, 1, EnergySource.ESTIMATED_TDP),
                Instant.parse("2026-11-28T12:00:00Z"), Instant.parse("2026-11-28T11:00:00Z"));
        LedgerEntries.Pricing pricing = ledger.price(backwards, "FRA", Pue.DEFAULT, RECORDED);
        assertThat(pricing).isEqualTo(new LedgerEntries.Refused(LedgerEntries.Reason.NEGATIVE_DURATION,
                "job run-0a25de7515f1ebda49f5:quantize:int8-dynamic ended (2026-11-28T11:00:00Z) before it started"
                        + " (2026-11-28T12:00:00Z)"));
    }

    @Test
    void figuresThatAreNotNumbersAreRefusedAndNegativeOnesCannotBeMade() {
        JobUsage nan = quantizeJob(new Usage(1, 1, Double.NaN, EnergySource.ESTIMATED_TDP), RECORDED, RECORDED);
        LedgerEntries.Pricing pricing = ledger.price(nan, "FRA", Pue.DEFAULT, RECORDED);
        assertThat(pricing).isInstanceOf(LedgerEntries.Refused.class);
        assertThat(((LedgerEntries.Refused) pricing).reason()).isEqualTo(LedgerEntries.Reason.INVALID_USAGE);
        assertThat(((LedgerEntries.Refused) pricing).message()).contains("energy NaN J");

        JobUsage infinite = quantizeJob(new Usage(1, Double.POSITIVE_INFINITY, 1, EnergySource.ESTIMATED_TDP),
                RECORDED, RECORDED);
        assertThat(ledger.price(infinite, "FRA", Pue.DEFAULT, RECORDED)).isInstanceOf(LedgerEntries.Refused.class);

        // a negative energy or duration never reaches the ledger: the event records reject it
        assertThatThrownBy(() -> new Usage(1, -2, 3, EnergySource.ESTIMATED_TDP)).hasMessageContaining("cannot be negative");
        assertThatThrownBy(() -> new Usage(1, 2, -3, EnergySource.ESTIMATED_TDP)).hasMessageContaining("cannot be negative");
        assertThat(ledger.price(null, "FRA", Pue.DEFAULT, RECORDED)).isInstanceOf(LedgerEntries.Refused.class);
    }

    @Test
    void aLiveIntensityCanBeUsedDirectly() {
        Intensity live = new Intensity("electricitymaps:FR", 33, "electricitymaps:latest (lifecycle, 2026-11-28T12:00:00Z)",
                2026);
        CarbonLedgerEntry entry = ((LedgerEntries.Priced) LedgerEntries.price(exampleJob(), live, Pue.DEFAULT, RECORDED))
                .entry();
        assertThat(entry.emissionsG()).isCloseTo(1133 / 3.6e6 * 33, within(1e-15));
        assertThat(Schemas.validate(entry)).isEmpty();
    }
}
