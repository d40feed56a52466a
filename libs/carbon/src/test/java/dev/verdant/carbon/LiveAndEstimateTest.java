package dev.verdant.carbon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.verdant.events.EnergySource;
import java.net.URI;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Electricity Maps (read on recorded answers only: no network here) and the CLI's estimate. */
class LiveAndEstimateTest {

    @Test
    void withoutATokenElectricityMapsIsNotConfiguredAndNothingIsSent() {
        // an unroutable base: had the client tried to connect, the answer would say so
        ElectricityMapsClient client = new ElectricityMapsClient(Optional.empty(), URI.create("http://192.0.2.1/v3/"));
        assertThat(client.configured()).isFalse();
        assertThat(client.latest("FR")).isEqualTo(new LiveIntensitySource.Unavailable("FR",
                "Electricity Maps is not configured: set ELECTRICITYMAPS_TOKEN"));
    }

    @Test
    void anElectricityMapsAnswerIsRead() {
        LiveIntensitySource.LiveReading reading = ElectricityMapsClient.read("FR", 200, """
                {"zone":"FR","carbonIntensity":33,"datetime":"2026-11-28T12:00:00.000Z",
                 "updatedAt":"2026-11-28T11:48:12.311Z","emissionFactorType":"lifecycle","isEstimated":true}""");
        assertThat(reading).isInstanceOf(LiveIntensitySource.Live.class);
        LiveIntensitySource.Live live = (LiveIntensitySource.Live) reading;
        assertThat(live.at()).isEqualTo(Instant.parse("2026-11-28T12:00:00Z"));
        assertThat(live.intensity()).isEqualTo(new Intensity("electricitymaps:FR", 33,
                "electricitymaps:latest (lifecycle, estimated, 2026-11-28T12:00:00Z)", 2026));
    }

    @Test
    void electricityMapsErrorsAreUnavailableWithTheReason() {
        assertThat(((LiveIntensitySource.Unavailable) ElectricityMapsClient.read("XX", 401,
                "{\"message\":\"Invalid auth-token\"}")).why()).contains("HTTP 401").contains("Invalid auth-token");
        assertThat(((LiveIntensitySource.Unavailable) ElectricityMapsClient.read("FR", 200, "{\"zone\":\"FR\"}")).why())
                .contains("no numeric carbonIntensity");
        assertThat(ElectricityMapsClient.read("FR", 200, "not json")).isInstanceOf(LiveIntensitySource.Unavailable.class);
    }

    @Test
    void estimateOfAnHourOfCpuInFranceAndTheUsa() {
        CpuPower unknownCpu = CpuPower.resolve("AMD EPYC", 2, CpuPowerTable.packaged());
        CarbonIntensities tables = CarbonIntensities.packaged();
        Intensity fra = ((IntensityLookup.Found) tables.lookup("FRA")).intensity();
        Intensity usa = ((IntensityLookup.Found) tables.lookup("USA")).intensity();

        CarbonEstimate france = CarbonEstimate.of(3600, 3600, unknownCpu, 0, fra, Pue.DEFAULT);
        // 4 W per busy CPU x 3600 s = 14,400 J = 0.004 kWh; x 56.039 = 0.224156 g
        assertThat(france.cpuJoules()).isEqualTo(14_400.0);
        assertThat(france.energyKwh()).isCloseTo(0.004, within(1e-15));
        assertThat(france.emissionsG()).isCloseTo(0.224156, within(1e-12));
        assertThat(france.cpuPower().source()).isEqualTo(EnergySource.ESTIMATED_DEFAULT);

        // 0.004 kWh x 369.473 = 1.477892 g
        assertThat(CarbonEstimate.of(3600, 3600, unknownCpu, 0, usa, Pue.DEFAULT).emissionsG())
                .isCloseTo(1.477892, within(1e-12));

        // with 1 GiB of RAM over the hour and PUE 1.5: RAM 0.375 x 3600 = 1350 J; (14400 + 1350) x 1.5 = 23625 J
        CarbonEstimate withRam = CarbonEstimate.of(3600, 3600, unknownCpu, 1, fra, Pue.of(1.5));
        assertThat(withRam.ramJoules()).isEqualTo(1350.0);
        assertThat(withRam.energyJoules()).isCloseTo(23_625.0, within(1e-9));
        assertThat(withRam.energyKwh()).isCloseTo(23_625 / 3.6e6, within(1e-15));
    }
}
