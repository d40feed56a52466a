package dev.verdant.store;

import io.minio.BucketExistsArgs;
import io.minio.GetObjectArgs;
import io.minio.GetObjectResponse;
import io.minio.ListObjectsArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.ObjectWriteResponse;
import io.minio.PutObjectArgs;
import io.minio.RemoveObjectArgs;
import io.minio.Result;
import io.minio.StatObjectArgs;
import io.minio.StatObjectResponse;
import io.minio.errors.ErrorResponseException;
import io.minio.messages.Item;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Verdant's artifacts (models, recipes, reports) in one S3 bucket.
 *
 * <p>Large content is streamed from and to files, never held in memory: uploads go through the
 * SDK's multipart upload in parts of 5 MiB or more. Every object written here carries the SHA-256 of
 * its content in its metadata ({@value #SHA256_METADATA}), checked again on {@link #download}.
 * Transient failures (connections, HTTP 5xx, SlowDown) are retried per the {@link RetryPolicy}; a
 * failure that remains throws {@link ArtifactStoreException} naming the operation, key and endpoint.
 *
 * <p>Thread-safe. Close it: the HTTP client's threads otherwise keep the JVM alive for a minute.
 */
public final class ArtifactStore implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ArtifactStore.class.getName());

    /** The user-metadata key under which the store keeps each object's SHA-256 (lowercase hex). */
    public static final String SHA256_METADATA = "sha256";
    /** {@link #putBytes} is for small documents: at most one multipart part. Stream bigger content from a file. */
    public static final int MAX_PUT_BYTES = 5 * 1024 * 1024;
    static final String DEFAULT_CONTENT_TYPE = "application/octet-stream";
    /** S3 limits user metadata (keys and values) to 2 KB per object. */
    private static final int MAX_METADATA_BYTES = 2048;
    private static final Pattern METADATA_KEY = Pattern.compile("[a-z0-9][a-z0-9-]*");
    /** Let the SDK choose the part size from the object size (5 MiB up to 50 GB objects). */
    private static final long SDK_PART_SIZE = -1;
    private static final long CONNECT_TIMEOUT_MS = TimeUnit.SECONDS.toMillis(10);
    /** A 90 MB model on a slow link: generous, but a hung connection still ends. */
    private static final long TRANSFER_TIMEOUT_MS = TimeUnit.MINUTES.toMillis(5);

    @FunctionalInterface
    private interface S3Call<T> {
        T call() throws Exception;
    }

    private final S3Settings settings;
    private final RetryPolicy retryPolicy;
    private final MinioClient client;

    public ArtifactStore(S3Settings settings) {
        this(settings, RetryPolicy.defaults());
    }

    public ArtifactStore(S3Settings settings, RetryPolicy retryPolicy) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.retryPolicy = Objects.requireNonNull(retryPolicy, "retryPolicy");
        this.client = MinioClient.builder()
                .endpoint(settings.endpoint())
                .credentials(settings.accessKey(), settings.secretKey())
                .region(settings.region()) // known region: no GetBucketLocation round trip
                .build();
        client.setTimeout(CONNECT_TIMEOUT_MS, TRANSFER_TIMEOUT_MS, TRANSFER_TIMEOUT_MS);
    }

    public S3Settings settings() {
        return settings;
    }

    /** Creates the bucket unless it exists. */
    public void ensureBucket() {
        withRetries("ensureBucket", null, () -> {
            if (!client.bucketExists(BucketExistsArgs.builder().bucket(settings.bucket()).build())) {
                try {
                    client.makeBucket(MakeBucketArgs.builder().bucket(settings.bucket()).build());
                } catch (ErrorResponseException e) {
                    // Another instance created it between our two calls: that is what we wanted.
                    if (!"BucketAlreadyOwnedByYou".equals(e.errorResponse().code())) {
                        throw e;
                    }
                }
            }
            return null;
        });
    }

    /**
     * Uploads a file under {@code key}, streaming it. The file is read twice (hash, then upload, the
     * upload hashed again): the SHA-256 goes into the object's metadata, which S3 takes before the
     * content, and a file that changes in between is caught instead of stored under a wrong hash.
     *
     * @param contentType MIME type; {@value #DEFAULT_CONTENT_TYPE} when null
     * @param metadata    user metadata: keys of a-z, 0-9, '-' (case is folded), printable ASCII values
     */
    public StoredObject put(String key, Path file, String contentType, Map<String, String> metadata) {
        ArtifactKeys.validate(key);
        Map<String, String> userMetadata = userMetadata(metadata);
        return upload(key, file, hashFile("put", key, file), contentType, userMetadata);
    }

    /**
     * Uploads a file under {@code prefix + sha256}, unless an object with that content is already
     * there (same size and SHA-256 metadata), in which case nothing is sent and
     * {@link StoredObject#uploaded()} is false. Storing the same model twice costs one hash.
     */
    public StoredObject putContentAddressed(String prefix, Path file, String contentType, Map<String, String> metadata) {
        ArtifactKeys.validatePrefix(prefix);
        Map<String, String> userMetadata = userMetadata(metadata);
        ContentHash hash = hashFile("putContentAddressed", prefix, file);
        String key = ArtifactKeys.validate(prefix + hash.sha256());
        Optional<ObjectInfo> existing = stat("putContentAddressed", key);
        if (existing.isPresent() && existing.get().size() == hash.size()
                && hash.sha256().equals(existing.get().userMetadata().get(SHA256_METADATA))) {
            LOG.log(Level.DEBUG, () -> "put " + key + ": already stored, skipped");
            return new StoredObject(key, hash.size(), hash.sha256(), existing.get().etag(), false);
        }
        return upload(key, file, hash, contentType, userMetadata);
    }

    /** Uploads a small document (JSON, YAML, HTML) held in memory; at most {@value #MAX_PUT_BYTES} bytes. */
    public StoredObject putBytes(String key, byte[] content, String contentType, Map<String, String> metadata) {
        ArtifactKeys.validate(key);
        Objects.requireNonNull(content, "content");
        if (content.length > MAX_PUT_BYTES) {
            throw new IllegalArgumentException("putBytes takes at most " + MAX_PUT_BYTES + " bytes, got " + content.length
                    + " for " + key + "; write the content to a file and use put(), which streams it");
        }
        ContentHash hash = ContentHash.of(content);
        Map<String, String> userMetadata = withSha256(userMetadata(metadata), hash);
        ObjectWriteResponse response = withRetries("put", key, () -> client.putObject(PutObjectArgs.builder()
                .bucket(settings.bucket()).object(key)
                .stream(new ByteArrayInputStream(content), content.length, SDK_PART_SIZE)
                .contentType(contentType == null ? DEFAULT_CONTENT_TYPE : contentType)
                .userMetadata(userMetadata)
                .build()));
        return new StoredObject(key, hash.size(), hash.sha256(), unquote(response.etag()), true);
    }

    /**
     * Opens the object's content for reading; the caller closes the stream. Only the opening is
     * retried: a failure while reading surfaces as an IOException from the stream.
     *
     * @throws ArtifactNotFoundException when there is no such object
     */
    public InputStream get(String key) {
        ArtifactKeys.validate(key);
        return withRetries("get", key, () -> client.getObject(object(GetObjectArgs.builder(), key).build()));
    }

    /**
     * Streams the object into {@code target} (replaced if it exists). The content goes to a temporary
     * file beside it first and is checked against the object's SHA-256 metadata, so {@code target}
     * never holds a partial or corrupted download.
     *
     * @throws ArtifactNotFoundException when there is no such object
     */
    public void download(String key, Path target) {
        ArtifactKeys.validate(key);
        Path absolute = target.toAbsolutePath();
        Path partial;
        try {
            Files.createDirectories(absolute.getParent());
            partial = Files.createTempFile(absolute.getParent(), "." + absolute.getFileName(), ".partial");
        } catch (IOException e) {
            throw new ArtifactStoreException("download", key, 1, "download of " + key + " from " + where()
                    + " failed: cannot write next to " + absolute + " (" + e.getMessage() + ")", e);
        }
        try {
            withRetries("download", key, () -> {
                try (GetObjectResponse response = client.getObject(object(GetObjectArgs.builder(), key).build())) {
                    MessageDigest digest = ContentHash.newDigest();
                    try (InputStream in = new DigestInputStream(response, digest)) {
                        Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
                    }
                    String expected = response.headers().get("x-amz-meta-" + SHA256_METADATA);
                    String actual = ContentHash.hex(digest);
                    if (expected != null && !expected.equalsIgnoreCase(actual)) {
                        // Corrupted on the way (or the object was replaced mid-read): worth another try.
                        throw new IOException("downloaded content has SHA-256 " + actual + ", the object says " + expected);
                    }
                }
                return null;
            });
            moveIntoPlace(partial, absolute);
        } catch (IOException e) {
            throw new ArtifactStoreException("download", key, 1, "download of " + key + " from " + where()
                    + " failed: cannot move it to " + absolute + " (" + e.getMessage() + ")", e);
        } finally {
            try {
                Files.deleteIfExists(partial);
            } catch (IOException e) {
                LOG.log(Level.WARNING, () -> "cannot remove the partial download " + partial + ": " + e.getMessage());
            }
        }
    }

    /**
     * The whole content of a small object.
     *
     * @param maxBytes the most this caller accepts
     * @throws ArtifactTooLargeException when the object is larger than {@code maxBytes}
     * @throws ArtifactNotFoundException when there is no such object
     */
    public byte[] getBytes(String key, long maxBytes) {
        ArtifactKeys.validate(key);
        if (maxBytes < 0 || maxBytes > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("maxBytes must be between 0 and about 2 GB, was " + maxBytes);
        }
        ObjectInfo info = stat("getBytes", key).orElseThrow(() -> notFound("getBytes", key, null));
        if (info.size() > maxBytes) {
            throw tooLarge(key, info.size(), maxBytes);
        }
        return withRetries("getBytes", key, () -> {
            try (InputStream in = client.getObject(object(GetObjectArgs.builder(), key).build())) {
                // The object may have been replaced since stat: never read past the limit.
                byte[] content = in.readNBytes((int) maxBytes + 1);
                if (content.length > maxBytes) {
                    throw tooLarge(key, -1, maxBytes);
                }
                return content;
            }
        });
    }

    /** The object's size, date, ETag and metadata; empty when there is no such object. */
    public Optional<ObjectInfo> stat(String key) {
        ArtifactKeys.validate(key);
        return stat("stat", key);
    }

    private Optional<ObjectInfo> stat(String operation, String key) {
        try {
            StatObjectResponse response = withRetries(operation, key,
                    () -> client.statObject(object(StatObjectArgs.builder(), key).build()));
            return Optional.of(new ObjectInfo(key, response.size(), instant(response.lastModified()),
                    unquote(response.etag()), lowercaseKeys(response.userMetadata())));
        } catch (ArtifactNotFoundException e) {
            return Optional.empty();
        }
    }

    public boolean exists(String key) {
        return stat(key).isPresent();
    }

    /**
     * The objects whose keys start with {@code prefix}, in key order. Not recursive: only those
     * directly below the prefix (up to the next '/'); sub-"folders" themselves are not listed.
     * Metadata is not part of a listing (empty maps); {@link #stat} has it.
     */
    public List<ObjectInfo> list(String prefix, boolean recursive) {
        ArtifactKeys.validatePrefix(prefix);
        return withRetries("list", prefix, () -> {
            List<ObjectInfo> objects = new ArrayList<>();
            Iterable<Result<Item>> results = client.listObjects(ListObjectsArgs.builder()
                    .bucket(settings.bucket()).prefix(prefix).recursive(recursive).build());
            for (Result<Item> result : results) {
                Item item = result.get();
                if (!item.isDir()) {
                    objects.add(new ObjectInfo(item.objectName(), item.size(), instant(item.lastModified()),
                            unquote(item.etag()), Map.of()));
                }
            }
            return objects;
        });
    }

    /** Deletes the object; deleting one that does not exist is not an error (as in S3). */
    public void delete(String key) {
        ArtifactKeys.validate(key);
        withRetries("delete", key, () -> {
            client.removeObject(object(RemoveObjectArgs.builder(), key).build());
            return null;
        });
    }

    @Override
    public void close() {
        try {
            client.close();
        } catch (Exception e) {
            throw new IllegalStateException("cannot close the S3 client for " + where(), e);
        }
    }

    private StoredObject upload(String key, Path file, ContentHash expected, String contentType,
                                Map<String, String> userMetadata) {
        Map<String, String> metadata = withSha256(userMetadata, expected);
        long started = System.nanoTime();
        ObjectWriteResponse response = withRetries("put", key, () -> {
            MessageDigest digest = ContentHash.newDigest();
            ObjectWriteResponse written;
            try (InputStream in = new DigestInputStream(new BufferedInputStream(Files.newInputStream(file), 64 * 1024),
                    digest)) {
                written = client.putObject(PutObjectArgs.builder()
                        .bucket(settings.bucket()).object(key)
                        .stream(in, expected.size(), SDK_PART_SIZE)
                        .contentType(contentType == null ? DEFAULT_CONTENT_TYPE : contentType)
                        .userMetadata(metadata)
                        .build());
            }
            String streamed = ContentHash.hex(digest);
            if (!streamed.equals(expected.sha256())) {
                client.removeObject(object(RemoveObjectArgs.builder(), key).build());
                throw new ArtifactStoreException("put", key, 1, "put of " + key + " to " + where() + " failed: " + file
                        + " changed while it was being uploaded (SHA-256 " + expected.sha256() + " before, " + streamed
                        + " during); the object was removed again", null);
            }
            return written;
        });
        LOG.log(Level.DEBUG, () -> "put " + key + " (" + expected.size() + " bytes, sha256 " + expected.sha256() + ") in "
                + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started) + " ms");
        return new StoredObject(key, expected.size(), expected.sha256(), unquote(response.etag()), true);
    }

    private ContentHash hashFile(String operation, String key, Path file) {
        try {
            return ContentHash.of(file);
        } catch (NoSuchFileException e) {
            throw new ArtifactStoreException(operation, key, 1, operation + " of " + key + " failed: the file " + file
                    + " does not exist", e);
        } catch (IOException e) {
            throw new ArtifactStoreException(operation, key, 1, operation + " of " + key + " failed: cannot read " + file
                    + " (" + e.getMessage() + ")", e);
        }
    }

    /**
     * Runs {@code call}, retrying transient failures per the policy, each retry logged. Not-found
     * becomes {@link ArtifactNotFoundException}; anything else that remains becomes
     * {@link ArtifactStoreException}.
     */
    private <T> T withRetries(String operation, String key, S3Call<T> call) {
        for (int attempt = 1; ; attempt++) {
            try {
                return call.call();
            } catch (ArtifactStoreException e) {
                throw e;
            } catch (Exception e) {
                if (S3Failures.isNotFound(e)) {
                    throw notFound(operation, key, e);
                }
                boolean retry = S3Failures.isTransient(e) && attempt < retryPolicy.maxAttempts();
                if (!retry) {
                    throw new ArtifactStoreException(operation, key, attempt, operation + (key == null ? "" : " of " + key)
                            + " at " + where() + " failed" + (attempt > 1 ? " after " + attempt + " attempts" : "")
                            + ": " + S3Failures.describe(e), e);
                }
                Duration pause = retryPolicy.delayBefore(attempt);
                int failedAttempt = attempt;
                LOG.log(Level.WARNING, () -> operation + (key == null ? "" : " of " + key) + " at " + where()
                        + " failed (attempt " + failedAttempt + " of " + retryPolicy.maxAttempts() + "): "
                        + S3Failures.describe(e) + "; retrying in " + pause.toMillis() + " ms");
                sleep(pause, operation, key, attempt);
            }
        }
    }

    private void sleep(Duration pause, String operation, String key, int attempts) {
        try {
            Thread.sleep(pause.toMillis(), (int) (pause.toNanos() % 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ArtifactStoreException(operation, key, attempts, operation + " of " + key + " at " + where()
                    + " was interrupted while waiting to retry", e);
        }
    }

    private <B extends io.minio.ObjectArgs.Builder<B, A>, A extends io.minio.ObjectArgs> B object(B builder, String key) {
        return builder.bucket(settings.bucket()).object(key);
    }

    private String where() {
        return settings.endpoint() + "/" + settings.bucket();
    }

    private ArtifactNotFoundException notFound(String operation, String key, Exception cause) {
        return new ArtifactNotFoundException(operation, key, operation + " failed: there is no object " + key + " in "
                + where(), cause);
    }

    private ArtifactTooLargeException tooLarge(String key, long size, long limit) {
        return new ArtifactTooLargeException(key, size, limit, key + " in " + where() + " is "
                + (size >= 0 ? size + " bytes" : "larger than that") + ", more than the " + limit
                + " bytes getBytes was allowed to read; stream it with get() or download() instead");
    }

    private static void moveIntoPlace(Path partial, Path target) throws IOException {
        try {
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * Checks user metadata against what S3 carries safely in HTTP headers, and folds keys to lower
     * case (S3 returns them lower-cased anyway).
     */
    static Map<String, String> userMetadata(Map<String, String> metadata) {
        Map<String, String> checked = new TreeMap<>();
        if (metadata == null) {
            return checked;
        }
        int bytes = SHA256_METADATA.length() + 64;
        for (Map.Entry<String, String> entry : metadata.entrySet()) {
            String key = Objects.requireNonNull(entry.getKey(), "metadata key").toLowerCase(Locale.ROOT);
            String value = Objects.requireNonNull(entry.getValue(), () -> "metadata value of " + key);
            if (!METADATA_KEY.matcher(key).matches() || key.startsWith("x-amz-")) {
                throw new IllegalArgumentException("metadata key \"" + entry.getKey() + "\" is not usable: use a-z, 0-9"
                        + " and '-', starting with a letter or digit, without the x-amz-meta- prefix");
            }
            if (key.equals(SHA256_METADATA)) {
                throw new IllegalArgumentException("metadata key \"" + SHA256_METADATA + "\" is reserved: the store sets"
                        + " it to the SHA-256 of the content");
            }
            if (!value.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
                throw new IllegalArgumentException("metadata value of \"" + key + "\" must be printable ASCII (it travels"
                        + " in an HTTP header); encode it first, e.g. URL-encode");
            }
            bytes += key.length() + value.length();
            checked.put(key, value);
        }
        if (bytes > MAX_METADATA_BYTES) {
            throw new IllegalArgumentException("user metadata adds up to " + bytes + " bytes; S3 allows "
                    + MAX_METADATA_BYTES + " (keep large data in an object of its own)");
        }
        return checked;
    }

    private static Map<String, String> withSha256(Map<String, String> userMetadata, ContentHash hash) {
        Map<String, String> metadata = new TreeMap<>(userMetadata);
        metadata.put(SHA256_METADATA, hash.sha256());
        return metadata;
    }

    private static Map<String, String> lowercaseKeys(Map<String, String> metadata) {
        Map<String, String> lower = new TreeMap<>();
        metadata.forEach((key, value) -> lower.put(key.toLowerCase(Locale.ROOT), value));
        return lower;
    }

    private static String unquote(String etag) {
        return etag == null ? null : etag.replace("\"", "");
    }

    private static Instant instant(java.time.ZonedDateTime time) {
        return time == null ? null : time.toInstant();
    }
}
