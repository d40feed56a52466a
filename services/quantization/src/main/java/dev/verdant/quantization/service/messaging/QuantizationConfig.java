package dev.verdant.quantization.service.messaging;

import dev.verdant.messaging.StorageConfig;
import io.smallrye.config.ConfigMapping;
import java.util.Optional;

/** Settings of the quantization service (application.properties, env VERDANT_...). */
@ConfigMapping(prefix = "verdant")
public interface QuantizationConfig {

    StorageConfig s3();

    Quantization quantization();

    interface Quantization {
        /** Where inputs are downloaded and variants written; default: the system temp folder. */
        Optional<String> workDir();
    }
}
