package dev.verdant.pruning.service.messaging;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Business settings of the pruning service (application.properties, env VERDANT_PRUNING_...). */
@ConfigMapping(prefix = "verdant.pruning")
public interface PruningConfig {

    /**
     * STS-B train sentences (shipped in libs/evaluation) that ffn, heads and unstructured are
     * calibrated on, with the run's tokenizer; 0 ranks the units by the weights alone.
     */
    @WithDefault("1000")
    int calibrationSentences();
}
