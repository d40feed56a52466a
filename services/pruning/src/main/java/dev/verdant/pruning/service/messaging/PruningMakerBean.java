package dev.verdant.pruning.service.messaging;

import dev.verdant.pruning.service.core.PruningMaker;
import dev.verdant.variants.VariantMaker;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** The pruning service's part of the technique runtime (libs/technique-service): its maker. */
@Singleton
class PruningMakerBean {

    @Produces
    @Singleton
    VariantMaker maker(PruningConfig config) {
        return new PruningMaker(config.calibrationSentences());
    }
}
