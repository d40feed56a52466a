package dev.verdant.pruning.service.messaging;

import dev.verdant.pruning.service.core.PruningMaker;
import dev.verdant.variants.VariantMaker;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** The pruning service's part of the technique runtime (libs/technique-service): its maker. */
@Singleton
class PruningMakerBean {

    /** STS-B train sentences ffn, heads and unstructured are calibrated on; 0 ranks by weights alone. */
    @ConfigProperty(name = "verdant.pruning.calibration-sentences", defaultValue = "1000")
    int calibrationSentences;

    @Produces
    @Singleton
    VariantMaker maker() {
        return new PruningMaker(calibrationSentences);
    }
}
