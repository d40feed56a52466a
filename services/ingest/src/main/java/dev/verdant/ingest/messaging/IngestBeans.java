package dev.verdant.ingest.messaging;

import dev.verdant.carbon.EnergyMeter;
import dev.verdant.carbon.HostInfo;
import dev.verdant.ingest.core.BucketPoller;
import dev.verdant.ingest.core.IngestSettings;
import dev.verdant.ingest.core.UploadIngestor;
import dev.verdant.messaging.StorageConfig;
import dev.verdant.store.ArtifactStore;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.time.Clock;

/** Wires the framework-free core from configuration. */
@Singleton
class IngestBeans {

    @Produces
    @Singleton
    ArtifactStore artifactStore(IngestConfig config) {
        return StorageConfig.openStore(config.s3());
    }

    void close(@Disposes ArtifactStore store) {
        store.close();
    }

    @Produces
    @Singleton
    UploadIngestor uploadIngestor(ArtifactStore store, IngestConfig config) {
        Path workDir = Path.of(config.ingest().workDir().orElse(System.getProperty("java.io.tmpdir")))
                .resolve("verdant-ingest");
        return new UploadIngestor(store, new IngestSettings(config.s3().bucket(), config.ingest().maxModelBytes(),
                config.ingest().maxTokenizerBytes(), config.ingest().maxRecipeBytes(), workDir), Clock.systemUTC());
    }

    /** One meter per JVM: it reads the host's CPU model, TDP table and RAPL availability once. */
    @Produces
    @Singleton
    EnergyMeter energyMeter() {
        return EnergyMeter.forThisHost();
    }

    @Produces
    @Singleton
    HostInfo hostInfo() {
        return HostInfo.detect();
    }

    @Produces
    @Singleton
    BucketPoller bucketPoller(ArtifactStore store, IngestConfig config) {
        return new BucketPoller(store, config.s3().bucket());
    }
}
