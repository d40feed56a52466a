package dev.verdant.store;

import java.time.Instant;
import java.util.Map;

/**
 * What the store knows about an object without reading it.
 *
 * @param userMetadata lowercase keys without the {@code x-amz-meta-} prefix; empty in
 *                     {@link ArtifactStore#list} results, which S3 returns without metadata
 */
public record ObjectInfo(String key, long size, Instant lastModified, String etag, Map<String, String> userMetadata) {

    public ObjectInfo {
        userMetadata = Map.copyOf(userMetadata);
    }
}
