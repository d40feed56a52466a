package dev.verdant.events;

import java.util.Objects;

/** A stored file: its key in the bucket, its size and the SHA-256 of its bytes. */
public record Artifact(String key, long sizeBytes, String sha256) {
    public Artifact {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(sha256, "sha256");
    }
}
