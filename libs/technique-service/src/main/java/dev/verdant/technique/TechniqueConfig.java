package dev.verdant.technique;

import dev.verdant.messaging.StorageConfig;
import io.smallrye.config.ConfigMapping;
import java.util.Optional;

/** Settings every technique service has (application.properties, env VERDANT_...). */
@ConfigMapping(prefix = "verdant")
public interface TechniqueConfig {

    StorageConfig s3();

    Technique technique();

    interface Technique {
        /** The service's name: ce_source /verdant/NAME, the usage's service, the work folder's name. */
        String service();

        /** Where inputs are downloaded and variants written; default: the system temp folder. */
        Optional<String> workDir();
    }
}
