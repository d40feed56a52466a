package dev.verdant.ingest.messaging;

import dev.verdant.messaging.StorageConfig;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** Business settings of the ingest service (application.properties, env VERDANT_...). */
@ConfigMapping(prefix = "verdant")
public interface IngestConfig {

    StorageConfig s3();

    Ingest ingest();


    interface Ingest {
        /** Largest model accepted, in bytes (default 1 GiB: any base-size encoder in fp32). */
        @WithDefault("1073741824")
        long maxModelBytes();

        /** Largest tokenizer.json accepted, in bytes. */
        @WithDefault("52428800")
        long maxTokenizerBytes();

        /** Largest recipe.yaml accepted, in bytes; at most 65536, the recipe parser's own limit. */
        @WithDefault("65536")
        long maxRecipeBytes();

        /** Where uploads are downloaded for inspection; default: the system temp folder. */
        Optional<String> workDir();

        Poller poller();
    }

    interface Poller {
        /** On where the storage sends no notifications (s3proxy); off where MinIO notifies through Kafka. */
        @WithDefault("true")
        boolean enabled();

        @WithDefault("2s")
        Duration interval();
    }
}
