package dev.verdant.technique;

import dev.verdant.carbon.EnergyMeter;
import dev.verdant.carbon.HostInfo;
import dev.verdant.messaging.JobTelemetry;
import dev.verdant.messaging.StorageConfig;
import dev.verdant.messaging.TechniqueAdapter;
import dev.verdant.store.ArtifactStore;
import dev.verdant.variants.RunVariants;
import dev.verdant.variants.VariantMaker;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.time.Clock;
import org.eclipse.microprofile.reactive.messaging.Channel;

/** Wires the shared core to the store, the service's {@link VariantMaker} bean and the emitters. */
@Singleton
class TechniqueBeans {
    static final String CREATED = "created";
    static final String FAILED = "failed";
    static final String JOB_USAGE = "job-usage";

    @Produces
    @Singleton
    ArtifactStore artifactStore(TechniqueConfig config) {
        return StorageConfig.openStore(config.s3());
    }

    void close(@Disposes ArtifactStore store) {
        store.close();
    }

    /** The service's traces and job metrics (tracing is off unless VERDANT_OTEL_ENDPOINT is set). */
    @Produces
    @Singleton
    JobTelemetry telemetry(TechniqueConfig config, OpenTelemetry openTelemetry, MeterRegistry registry) {
        return new JobTelemetry(config.technique().service(), openTelemetry, registry);
    }

    @Produces
    @Singleton
    TechniqueAdapter adapter(ArtifactStore store, VariantMaker maker, TechniqueConfig config, JobTelemetry telemetry,
            @Channel(CREATED) MutinyEmitter<byte[]> created, @Channel(FAILED) MutinyEmitter<byte[]> failed,
            @Channel(JOB_USAGE) MutinyEmitter<byte[]> usage) {
        String service = config.technique().service();
        Path workDir = Path.of(config.technique().workDir().orElse(System.getProperty("java.io.tmpdir")))
                .resolve("verdant-" + service);
        RunVariants variants = new RunVariants(service, maker, store, EnergyMeter.forThisHost(), HostInfo.detect(),
                workDir, Clock.systemUTC(), new TracedJobs(telemetry));
        return new TechniqueAdapter(service, variants, created, failed, usage);
    }
}
