package dev.verdant.messaging;

import dev.verdant.store.ArtifactStore;
import dev.verdant.store.S3Settings;
import io.smallrye.config.WithDefault;

/**
 * The S3-compatible store, as every service configures it ({@code verdant.s3.*}; a service's
 * {@code @ConfigMapping} returns this type). Credentials come from configuration or the
 * environment (VERDANT_S3_ACCESS_KEY, VERDANT_S3_SECRET_KEY), never from code.
 */
public interface StorageConfig {

    String endpoint();

    String accessKey();

    String secretKey();

    @WithDefault("verdant")
    String bucket();

    @WithDefault("us-east-1")
    String region();

    /** A store on the configured bucket, created if missing; the caller closes it. */
    static ArtifactStore openStore(StorageConfig config) {
        ArtifactStore store = new ArtifactStore(new S3Settings(config.endpoint(), config.accessKey(),
                config.secretKey(), config.bucket(), config.region()));
        store.ensureBucket();
        return store;
    }
}
