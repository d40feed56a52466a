package dev.verdant.carbon.service.messaging;

import dev.verdant.carbon.CarbonIntensities;
import dev.verdant.carbon.SoftwareCarbonIntensity;
import dev.verdant.carbon.service.core.BucketFactStore;
import dev.verdant.carbon.service.core.CarbonAccounting;
import dev.verdant.carbon.service.core.CarbonSettings;
import dev.verdant.messaging.StorageConfig;
import dev.verdant.store.ArtifactStore;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;

/** Wires the framework-free core from configuration. */
@Singleton
class CarbonBeans {

    @Produces
    @Singleton
    ArtifactStore artifactStore(CarbonConfig config) {
        return StorageConfig.openStore(config.s3());
    }

    void close(@Disposes ArtifactStore store) {
        store.close();
    }

    @Produces
    @Singleton
    CarbonAccounting accounting(ArtifactStore store, CarbonConfig config) {
        CarbonConfig.Carbon c = config.carbon();
        CarbonConfig.Hardware hw = c.hardware();
        var hardware = new SoftwareCarbonIntensity.Hardware(hw.embodiedKg(), Duration.ofDays(hw.lifespanDays()),
                hw.logicalCpus().orElse(Runtime.getRuntime().availableProcessors()));
        String instance = ProcessHandle.current().pid() + "-" + UUID.randomUUID().toString().substring(0, 8);
        return new CarbonAccounting(new BucketFactStore(store), CarbonIntensities.packaged(),
                new CarbonSettings(c.runTimeout(), c.usageSettle(), c.unknownRunGrace(), c.claimTtl(), hardware, instance),
                Clock.systemUTC());
    }
}
