package dev.verdant.carbon.service.core;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;

/** A {@link FactStore} in a map, for unit tests (the bucket one is exercised by CarbonServiceIT). */
final class InMemoryFactStore implements FactStore {
    final Map<String, byte[]> objects = new ConcurrentSkipListMap<>();

    @Override
    public void put(String key, byte[] content) {
        objects.put(key, content.clone());
    }

    @Override
    public Optional<byte[]> get(String key) {
        return Optional.ofNullable(objects.get(key)).map(byte[]::clone);
    }

    @Override
    public boolean exists(String key) {
        return objects.containsKey(key);
    }

    @Override
    public List<String> list(String prefix) {
        return objects.keySet().stream().filter(k -> k.startsWith(prefix)).toList();
    }

    @Override
    public void delete(String key) {
        objects.remove(key);
    }
}
