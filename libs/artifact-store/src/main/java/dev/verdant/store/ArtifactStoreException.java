package dev.verdant.store;

/**
 * An operation on the store failed for good (after retries where retrying made sense). The
 * message names the operation, the key and the endpoint.
 */
public class ArtifactStoreException extends RuntimeException {

    private final String operation;
    private final String key;
    private final int attempts;

    ArtifactStoreException(String operation, String key, int attempts, String message, Throwable cause) {
        super(message, cause);
        this.operation = operation;
        this.key = key;
        this.attempts = attempts;
    }

    /** E.g. {@code put}, {@code stat}, {@code list}. */
    public String operation() {
        return operation;
    }

    /** The key or prefix concerned; null for bucket-level operations. */
    public String key() {
        return key;
    }

    /** How many times the operation was tried. */
    public int attempts() {
        return attempts;
    }
}
