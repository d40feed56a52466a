package dev.verdant.store;

/** The object does not exist (S3 NoSuchKey); never retried. */
public final class ArtifactNotFoundException extends ArtifactStoreException {

    ArtifactNotFoundException(String operation, String key, String message, Throwable cause) {
        super(operation, key, 1, message, cause);
    }
}
