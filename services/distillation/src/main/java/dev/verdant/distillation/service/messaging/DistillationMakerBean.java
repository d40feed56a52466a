package dev.verdant.distillation.service.messaging;

import dev.verdant.distillation.service.core.BucketCheckpointStore;
import dev.verdant.distillation.service.core.DistillationMaker;
import dev.verdant.store.ArtifactStore;
import dev.verdant.technique.TechniqueConfig;
import dev.verdant.variants.VariantMaker;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import org.jboss.logging.Logger;

/** The distillation service's part of the technique runtime (libs/technique-service): its maker. */
@Singleton
class DistillationMakerBean {
    private static final Logger LOG = Logger.getLogger("dev.verdant.distillation");

    @Produces
    @Singleton
    VariantMaker maker(ArtifactStore store, TechniqueConfig config) {
        Path scratch = Path.of(config.technique().workDir().orElse(System.getProperty("java.io.tmpdir")))
                .resolve("verdant-distillation-checkpoints");
        return new DistillationMaker(new BucketCheckpointStore(store, scratch), LOG::info);
    }
}
