package dev.verdant.quantization.service.messaging;

import dev.verdant.carbon.EnergyMeter;
import dev.verdant.carbon.HostInfo;
import dev.verdant.messaging.StorageConfig;
import dev.verdant.messaging.TechniqueAdapter;
import dev.verdant.quantization.service.core.QuantizationMaker;
import dev.verdant.store.ArtifactStore;
import dev.verdant.variants.RunVariants;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.time.Clock;
import org.eclipse.microprofile.reactive.messaging.Channel;

/** Wires the framework-free core from configuration. */
@Singleton
class QuantizationBeans {
    static final String SERVICE = "quantization";

    @Produces
    @Singleton
    ArtifactStore artifactStore(QuantizationConfig config) {
        return StorageConfig.openStore(config.s3());
    }

    void close(@Disposes ArtifactStore store) {
        store.close();
    }

    @Produces
    @Singleton
    TechniqueAdapter adapter(ArtifactStore store, QuantizationConfig config, @Channel("created") MutinyEmitter<byte[]> created,
            @Channel("failed") MutinyEmitter<byte[]> failed, @Channel("job-usage") MutinyEmitter<byte[]> usage) {
        Path workDir = Path.of(config.quantization().workDir().orElse(System.getProperty("java.io.tmpdir")))
                .resolve("verdant-quantization");
        RunVariants variants = new RunVariants(SERVICE, new QuantizationMaker(), store, EnergyMeter.forThisHost(),
                HostInfo.detect(), workDir, Clock.systemUTC());
        return new TechniqueAdapter(SERVICE, variants, created, failed, usage);
    }
}
