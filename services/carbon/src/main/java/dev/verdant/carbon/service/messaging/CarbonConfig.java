package dev.verdant.carbon.service.messaging;

import dev.verdant.messaging.StorageConfig;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** Business settings of the carbon service (application.properties, env VERDANT_...). */
@ConfigMapping(prefix = "verdant")
public interface CarbonConfig {

    StorageConfig s3();

    Carbon carbon();

    interface Carbon {
        /** A run is reported (partial, saying what is missing) this long after its ingestion at the latest. */
        @WithDefault("PT2H")
        Duration runTimeout();

        /** Once every model is evaluated or failed, how long to wait for evaluate usage still on its way. */
        @WithDefault("PT1M")
        Duration usageSettle();

        /** How long an event of a run with no run marker is kept before it goes to verdant.dead-letter. */
        @WithDefault("PT10M")
        Duration unknownRunGrace();

        /** How long one instance's claim on building a run's report holds (an instance that died mid-way). */
        @WithDefault("PT2M")
        Duration claimTtl();

        /** How often open runs (timeouts) and parked events are checked. */
        @WithDefault("PT15S")
        Duration sweepInterval();

        Hardware hardware();
    }

    /** The embodied emissions of the SCI: M = TE x (TR / EL) x (RR / ToR). */
    interface Hardware {
        /**
         * TE, kgCO2e. Default: Cloud Carbon Footprint's commodity rack server, 1000 kgCO2e
         * (SoftwareCarbonIntensity.Hardware.COMMODITY_SERVER_EMBODIED_KG).
         */
        @WithDefault("1000")
        double embodiedKg();

        /** EL, days. Default: 4 years, Cloud Carbon Footprint's rack server lifespan. */
        @WithDefault("1460")
        int lifespanDays();

        /**
         * ToR, the server's logical CPUs. No sourced default exists: give the server's count. Absent:
         * this host's count (on a dedicated host that charges it the whole server: an upper bound).
         */
        Optional<Integer> logicalCpus();
    }
}
