package dev.verdant.evaluation.service.messaging;

import dev.verdant.messaging.StorageConfig;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.Optional;

/** Business settings of the evaluation service (application.properties, env VERDANT_...). */
@ConfigMapping(prefix = "verdant")
public interface EvaluationConfig {

    StorageConfig s3();

    Evaluation evaluation();


    interface Evaluation {
        /** At most this many STS pairs per evaluation, whatever the recipe asks; 0: the recipe decides. */
        @WithDefault("0")
        int maxPairs();

        /** Latency sampling: "standard" (comparable figures) or "quick" (tests). */
        @WithDefault("standard")
        String latency();

        /** ONNX Runtime intra-op threads; default: 2 (1 on a single-core machine), as verdant evaluate. */
        Optional<Integer> threads();

        /** Where models are downloaded; default: the system temp folder. */
        Optional<String> workDir();
    }
}
