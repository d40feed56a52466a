package dev.verdant.store;

/**
 * An object the store has written (or found already written).
 *
 * @param sha256   lowercase hex SHA-256 of the content, also kept in the object's metadata
 * @param etag     S3's ETag (an MD5, or MD5-of-parts "-N" after a multipart upload)
 * @param uploaded false when {@link ArtifactStore#putContentAddressed} found the content already there
 */
public record StoredObject(String key, long size, String sha256, String etag, boolean uploaded) {
}
