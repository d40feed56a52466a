package dev.verdant.carbon.service.core;

import java.util.List;
import java.util.Optional;

/**
 * Where the carbon service keeps what it has received: small objects by key. In production the
 * bucket ({@link BucketFactStore}), so state survives restarts and is shared by every instance.
 */
public interface FactStore {

    void put(String key, byte[] content);

    Optional<byte[]> get(String key);

    boolean exists(String key);

    /** Keys under {@code prefix}, at any depth, in key order. */
    List<String> list(String prefix);

    void delete(String key);
}
