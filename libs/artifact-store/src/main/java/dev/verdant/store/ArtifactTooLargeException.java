package dev.verdant.store;

/** {@link ArtifactStore#getBytes} met an object larger than the caller's limit. */
public final class ArtifactTooLargeException extends ArtifactStoreException {

    private final long size;
    private final long limit;

    ArtifactTooLargeException(String key, long size, long limit, String message) {
        super("getBytes", key, 1, message, null);
        this.size = size;
        this.limit = limit;
    }

    public long size() {
        return size;
    }

    public long limit() {
        return limit;
    }
}
