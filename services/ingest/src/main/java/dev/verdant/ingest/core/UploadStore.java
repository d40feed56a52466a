package dev.verdant.ingest.core;

import dev.verdant.store.ArtifactStore;
import dev.verdant.store.ObjectInfo;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The few bucket operations ingest needs. In the service it is the {@link ArtifactStore} (S3 or
 * MinIO, {@link #of}); the bad-input corpus test reads the same uploads from a local folder, so
 * every check on the user's files runs without a network.
 */
public interface UploadStore {

    Optional<ObjectInfo> stat(String key);

    /** Streams the object to {@code target}, checking the sha256 the store recorded where there is one. */
    void download(String key, Path target);

    /** A small object in memory; refuses one larger than {@code maxBytes}. */
    byte[] getBytes(String key, long maxBytes);

    boolean exists(String key);

    void put(String key, Path file, String contentType, Map<String, String> metadata);

    void putBytes(String key, byte[] bytes, String contentType, Map<String, String> metadata);

    static UploadStore of(ArtifactStore store) {
        return new UploadStore() {
            @Override
            public Optional<ObjectInfo> stat(String key) {
                return store.stat(key);
            }

            @Override
            public void download(String key, Path target) {
                store.download(key, target);
            }

            @Override
            public byte[] getBytes(String key, long maxBytes) {
                return store.getBytes(key, maxBytes);
            }

            @Override
            public boolean exists(String key) {
                return store.exists(key);
            }

            @Override
            public void put(String key, Path file, String contentType, Map<String, String> metadata) {
                store.put(key, file, contentType, metadata);
            }

            @Override
            public void putBytes(String key, byte[] bytes, String contentType, Map<String, String> metadata) {
                store.putBytes(key, bytes, contentType, metadata);
            }
        };
    }
}
