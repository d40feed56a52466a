package dev.verdant.ingest.core;

import dev.verdant.events.Hashes;
import dev.verdant.store.ArtifactKeys;
import dev.verdant.store.ObjectInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A bucket in memory for the core's tests: objects by key, with the same key rules as the real
 * store. The service's IT runs the same uploads against s3proxy.
 */
final class MemoryUploadStore implements UploadStore {
    final TreeMap<String, byte[]> objects = new TreeMap<>();

    void add(String key, byte[] content) {
        objects.put(ArtifactKeys.validate(key), content);
    }

    @Override
    public Optional<ObjectInfo> stat(String key) {
        byte[] content = objects.get(key);
        return content == null ? Optional.empty()
                : Optional.of(new ObjectInfo(key, content.length, Instant.EPOCH, Hashes.sha256(content), Map.of()));
    }

    @Override
    public void download(String key, Path target) {
        try {
            Files.write(target, object(key));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public byte[] getBytes(String key, long maxBytes) {
        byte[] content = object(key);
        if (content.length > maxBytes) {
            throw new IllegalStateException(key + " is larger than " + maxBytes + " bytes");
        }
        return content;
    }

    @Override
    public boolean exists(String key) {
        return objects.containsKey(key);
    }

    @Override
    public void put(String key, Path file, String contentType, Map<String, String> metadata) {
        try {
            add(key, Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void putBytes(String key, byte[] bytes, String contentType, Map<String, String> metadata) {
        add(key, bytes);
    }

    private byte[] object(String key) {
        byte[] content = objects.get(key);
        if (content == null) {
            throw new IllegalStateException("no object " + key);
        }
        return content;
    }
}
