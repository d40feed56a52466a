package dev.verdant.carbon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Each formula on fixed inputs; the expected values are worked out by hand in the comments. */
class FormulasTest {

    @Test
    void mlCo2Impact() {
        // 250 W for 10 h: 250 x 10 / 1000 = 2.5 kWh
        assertThat(MlCo2Impact.kwh(250, 10)).isEqualTo(2.5);
        // 2.5 kWh at France's 0.056039 kg/kWh: 2.5 x 0.056039 = 0.1400975 kg
        assertThat(MlCo2Impact.kgCo2e(2.5, 0.056039)).isCloseTo(0.1400975, within(1e-12));
        // 300 W for 30 min at 0.4 kg/kWh: 0.15 kWh -> 0.06 kg
        assertThat(MlCo2Impact.kgCo2e(MlCo2Impact.kwh(300, 0.5), 0.4)).isCloseTo(0.06, within(1e-12));
        assertThatThrownBy(() -> MlCo2Impact.kwh(-1, 1)).hasMessage("power (W) must be a finite number >= 0, got -1.0");
    }

    @Test
    void codeCarbon() {
        // CPU 42.5 W (85 W x 50%), RAM 8 GiB x 0.375 = 3 W, no GPU, one hour:
        // (42.5 + 3 + 0) x 3600 / 3.6e6 = 0.0455 kWh
        double ram = CodeCarbonModel.ramWatts(8);
        assertThat(ram).isEqualTo(3.0);
        double kwh = CodeCarbonModel.energyKwh(42.5, ram, 0, 3600);
        assertThat(kwh).isCloseTo(0.0455, within(1e-15));
        // x PUE 1.0 x 56.039 g/kWh / 1000 = 0.0025497745 kg
        assertThat(CodeCarbonModel.emissionsKg(kwh, Pue.DEFAULT, 56.039)).isCloseTo(0.0025497745, within(1e-15));
        // the same at PUE 1.5: 0.0455 x 1.5 = 0.06825 kWh x 369.473 / 1000 = 0.02521653225 kg
        assertThat(CodeCarbonModel.emissionsKg(kwh, Pue.of(1.5), 369.473)).isCloseTo(0.02521653225, within(1e-14));
        // GPU counts the same way: (10 + 0 + 300) W x 60 s / 3.6e6 = 0.00516666... kWh
        assertThat(CodeCarbonModel.energyKwh(10, 0, 300, 60)).isCloseTo(310.0 * 60 / 3.6e6, within(1e-18));
        assertThat(CodeCarbonModel.gib(8L * 1024 * 1024 * 1024)).isEqualTo(8.0);
    }

    @Test
    void ramRuleReproducesAPublishedCodeCarbonRow() {
        // A real CodeCarbon 2.2.3 emissions.csv (huggingface.co/worde-byte/output, emissions.csv):
        // ram_total_size 125.66403198242188 GB, ram_power 47.1240119934082 W: 125.664... x 3/8.
        assertThat(CodeCarbonModel.ramWatts(125.66403198242188)).isCloseTo(47.1240119934082, within(1e-12));
        // Its emissions_rate is emissions / duration in kg/s: 1.902573047700639 / 38115.6783618927 = 4.99157...e-05
        assertThat(1.902573047700639 / 38115.6783618927).isCloseTo(4.991575985179878e-05, within(1e-18));
    }

    @Test
    void pueIsAtLeastOne() {
        assertThat(Pue.DEFAULT.value()).isEqualTo(1.0);
        assertThat(Pue.of(1.2).atPlug(10)).isCloseTo(12.0, within(1e-12));
        assertThatThrownBy(() -> Pue.of(0.9)).hasMessageContaining("at least 1.0");
        assertThatThrownBy(() -> Pue.of(Double.NaN)).hasMessageContaining("at least 1.0");
    }

    @Test
    void sciEmbodiedShare() {
        // TE 1000 kg = 1,000,000 g; EL 4 x 365 days = 126,144,000 s; TR 1 h = 3600 s; RR/ToR = 2/32
        // M = 1e6 x 3600/126144000 x 2/32 = 1e6 x 2.853881278...e-5 x 0.0625 = 1.78367579908... g
        var server = SoftwareCarbonIntensity.Hardware.commodityRackServer(32);
        double m = SoftwareCarbonIntensity.embodiedG(server, Duration.ofHours(1), 2);
        assertThat(m).isCloseTo(1e6 * 3600.0 / 126_144_000.0 * 2.0 / 32.0, within(1e-12)).isCloseTo(1.783676, within(1e-6));
        assertThatThrownBy(() -> SoftwareCarbonIntensity.embodiedG(server, Duration.ofHours(1), 33))
                .hasMessageContaining("cannot reserve 33.0 logical CPUs of a server with 32");
    }

    @Test
    void sciPerThousandInferences() {
        // 100,000 inferences used E = 0.01 kWh in France (56.039 g/kWh) over the hour of the M above:
        // E x I = 0.56039 g; + M 1.78367579908 g = 2.34406579908 g for 100 functional units
        // SCI = 2.34406579908 / 100 = 0.0234406579908 g per 1,000 inferences
        double m = SoftwareCarbonIntensity.embodiedG(SoftwareCarbonIntensity.Hardware.commodityRackServer(32),
                Duration.ofHours(1), 2);
        double sci = SoftwareCarbonIntensity.per1000Inferences(0.01, 56.039, m, 100_000);
        assertThat(sci).isCloseTo(0.0234406579908, within(1e-12));
        // without embodied emissions, only the operational part: 0.56039 / 100
        assertThat(SoftwareCarbonIntensity.per1000Inferences(0.01, 56.039, 0, 100_000)).isCloseTo(0.0056039, within(1e-15));
        assertThatThrownBy(() -> SoftwareCarbonIntensity.per1000Inferences(0.01, 56, 0, 0))
                .hasMessageContaining("inferences covered");
    }

    @Test
    void paybackDaysAndYearlySaving() {
        // optimisation 120 g; 0.05 g -> 0.03 g per 1,000 inferences = 0.00002 g saved per inference;
        // 1,000,000 inferences a day: 20 g/day -> 120 / 20 = 6 days; 20 x 365 / 1000 = 7.3 kg a year
        CarbonPayback.Payback payback = CarbonPayback.of(120, 0.05 / 1000, 0.03 / 1000, 1_000_000);
        assertThat(payback).isInstanceOf(CarbonPayback.PaysBack.class);
        CarbonPayback.PaysBack pays = (CarbonPayback.PaysBack) payback;
        assertThat(pays.dailySavedG()).isCloseTo(20.0, within(1e-9));
        assertThat(pays.days()).isCloseTo(6.0, within(1e-9));
        assertThat(pays.yearlySavedKg()).isCloseTo(7.3, within(1e-9));
    }

    @Test
    void paybackNeverWithoutSavingOrTraffic() {
        assertThat(CarbonPayback.of(120, 0.00003, 0.00005, 1_000_000)).isInstanceOf(CarbonPayback.NeverPaysBack.class);
        assertThat(CarbonPayback.of(120, 0.00005, 0.00005, 1_000_000)).isInstanceOf(CarbonPayback.NeverPaysBack.class);
        assertThat(((CarbonPayback.NeverPaysBack) CarbonPayback.of(120, 0.00005, 0.00003, 0)).why())
                .contains("no expected traffic");
        assertThatThrownBy(() -> CarbonPayback.of(-1, 1, 0, 1)).hasMessageContaining("optimisation emissions");
    }

    @Test
    void ledgerFormulas() {
        // 1133 J / 3.6e6 = 3.147222...e-4 kWh x PUE 1.0; x 56.0 = 0.0176244... g (the schema example)
        double kwh = LedgerEntries.energyKwhAtPlug(1133, Pue.DEFAULT);
        assertThat(kwh).isCloseTo(3.1472222e-4, within(1e-11));
        assertThat(LedgerEntries.emissionsG(kwh, 56.0)).isCloseTo(0.017624444, within(1e-9));
        // PUE 1.2: 3600 J = 0.001 kWh -> 0.0012 kWh at the plug
        assertThat(LedgerEntries.energyKwhAtPlug(3600, Pue.of(1.2))).isCloseTo(0.0012, within(1e-15));
        assertThatThrownBy(() -> LedgerEntries.energyKwhAtPlug(-5, Pue.DEFAULT))
                .hasMessage("energy (J) must be a finite number >= 0, got -5.0");
        assertThatThrownBy(() -> LedgerEntries.emissionsG(-0.1, 56)).hasMessageContaining("energy (kWh)");
    }
}
