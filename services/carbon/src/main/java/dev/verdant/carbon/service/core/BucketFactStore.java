package dev.verdant.carbon.service.core;

import dev.verdant.store.ArtifactStore;
import dev.verdant.store.ObjectInfo;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@link FactStore} on the Verdant bucket. */
public final class BucketFactStore implements FactStore {
    /** Largest fact read: a ModelIngested or a report is a few kilobytes. */
    private static final long MAX_FACT_BYTES = 4L * 1024 * 1024;

    private final ArtifactStore store;

    public BucketFactStore(ArtifactStore store) {
        this.store = store;
    }

    @Override
    public void put(String key, byte[] content) {
        store.putBytes(key, content, contentType(key), Map.of());
    }

    @Override
    public Optional<byte[]> get(String key) {
        if (!store.exists(key)) {
            return Optional.empty();
        }
        try {
            return Optional.of(store.getBytes(key, MAX_FACT_BYTES));
        } catch (dev.verdant.store.ArtifactNotFoundException e) {
            return Optional.empty(); // deleted between the two calls (another instance)
        }
    }

    @Override
    public boolean exists(String key) {
        return store.exists(key);
    }

    @Override
    public List<String> list(String prefix) {
        return store.list(prefix, true).stream().map(ObjectInfo::key).toList();
    }

    @Override
    public void delete(String key) {
        store.delete(key);
    }

    private static String contentType(String key) {
        if (key.endsWith(".json")) {
            return "application/json";
        }
        if (key.endsWith(".html")) {
            return "text/html; charset=utf-8";
        }
        if (key.endsWith(".csv")) {
            return "text/csv; charset=utf-8";
        }
        return "application/octet-stream";
    }
}
