package dev.verdant.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.verdant.infra.InfraEndpoints;
import dev.verdant.testsupport.WithLocalInfrastructure;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Against the real s3proxy of the shared local infrastructure; each test in a bucket of its own. */
@WithLocalInfrastructure
class ArtifactStoreIT {

    /** Well past the SDK's 5 MiB part size: a multipart upload of 5 parts. */
    private static final int LARGE_BYTES = 24 * 1024 * 1024 + 12_345;

    @TempDir
    Path dir;

    private ArtifactStore store;

    @BeforeEach
    void openStore(InfraEndpoints infra) {
        String bucket = "it-" + UUID.randomUUID().toString().substring(0, 8);
        store = new ArtifactStore(new S3Settings(infra.s3Endpoint(), infra.accessKey(), infra.secretKey(), bucket));
        store.ensureBucket();
        store.ensureBucket(); // idempotent
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    @Test
    void aLargeFileIsStreamedUpInPartsAndComesBackIntact() throws Exception {
        Path file = randomFile("model.onnx", LARGE_BYTES);
        String sha256 = sha256(file);

        StoredObject stored = store.put("models/run-1/model.onnx", file, "application/octet-stream",
                Map.of("Run-Id", "run-1", "technique", "original"));

        assertEquals(new StoredObject("models/run-1/model.onnx", LARGE_BYTES, sha256, stored.etag(), true), stored);
        assertTrue(stored.etag().endsWith("-5"), "a multipart ETag names its part count: " + stored.etag());

        ObjectInfo info = store.stat("models/run-1/model.onnx").orElseThrow();
        assertEquals(LARGE_BYTES, info.size());
        assertEquals(Map.of("run-id", "run-1", "technique", "original", "sha256", sha256), info.userMetadata());

        MessageDigest streamed = MessageDigest.getInstance("SHA-256");
        try (InputStream in = store.get("models/run-1/model.onnx")) {
            byte[] buffer = new byte[64 * 1024];
            for (int read; (read = in.read(buffer)) != -1; ) {
                streamed.update(buffer, 0, read);
            }
        }
        assertEquals(sha256, java.util.HexFormat.of().formatHex(streamed.digest()));

        Path downloaded = dir.resolve("down/model.onnx");
        store.download("models/run-1/model.onnx", downloaded);
        assertEquals(sha256, sha256(downloaded));
        try (var siblings = Files.list(downloaded.getParent())) {
            assertEquals(List.of(downloaded), siblings.toList(), "no partial file left behind");
        }
    }

    @Test
    void contentAddressedUploadsHappenOnce() throws Exception {
        Path file = randomFile("model.onnx", 6 * 1024 * 1024);
        String sha256 = sha256(file);

        StoredObject first = store.putContentAddressed("blobs/sha256/", file, null, Map.of());
        StoredObject second = store.putContentAddressed("blobs/sha256/", file, null, Map.of());

        assertEquals("blobs/sha256/" + sha256, first.key());
        assertTrue(first.uploaded());
        assertFalse(second.uploaded(), "the same content is not sent twice");
        assertEquals(first.key(), second.key());
        assertEquals(first.etag(), second.etag());
        assertEquals(1, store.list("blobs/sha256/", true).size());
    }

    @Test
    void smallDocumentsRoundTripAndGetBytesHonoursItsLimit() {
        byte[] json = "{\"verdict\":\"ship int8\"}".getBytes(StandardCharsets.UTF_8);
        StoredObject stored = store.putBytes("reports/run-1/verdict.json", json, "application/json", Map.of("run-id", "1"));

        assertEquals(json.length, stored.size());
        assertArrayEquals(json, store.getBytes("reports/run-1/verdict.json", 1024));
        assertArrayEquals(json, store.getBytes("reports/run-1/verdict.json", json.length));
        ArtifactTooLargeException tooLarge = assertThrows(ArtifactTooLargeException.class,
                () -> store.getBytes("reports/run-1/verdict.json", 10));
        assertEquals(json.length, tooLarge.size());
        assertTrue(tooLarge.getMessage().contains("more than the 10 bytes"), tooLarge.getMessage());
    }

    @Test
    void listsByPrefixDeletesAndReportsMissingObjects() {
        for (String key : List.of("runs/a/1.json", "runs/a/2.json", "runs/a/deeper/3.json", "runs/b/4.json")) {
            store.putBytes(key, key.getBytes(StandardCharsets.UTF_8), "application/json", Map.of());
        }

        assertEquals(List.of("runs/a/1.json", "runs/a/2.json"), keys(store.list("runs/a/", false)));
        assertEquals(List.of("runs/a/1.json", "runs/a/2.json", "runs/a/deeper/3.json"), keys(store.list("runs/a/", true)));
        assertEquals(4, store.list("", true).size());
        assertEquals(13, store.list("runs/a/", false).get(0).size());

        store.delete("runs/a/1.json");
        store.delete("runs/a/1.json"); // already gone: fine
        assertFalse(store.exists("runs/a/1.json"));
        assertTrue(store.stat("runs/a/1.json").isEmpty());
        ArtifactNotFoundException missing = assertThrows(ArtifactNotFoundException.class, () -> store.get("runs/a/1.json"));
        assertTrue(missing.getMessage().contains("no object runs/a/1.json in "), missing.getMessage());
        assertThrows(ArtifactNotFoundException.class, () -> store.download("runs/a/1.json", dir.resolve("x")));
        assertFalse(Files.exists(dir.resolve("x")));
    }

    @Test
    void invalidKeysNeverReachTheServer() {
        ArtifactKeyException failure = assertThrows(ArtifactKeyException.class,
                () -> store.putBytes("../escape", new byte[1], null, Map.of()));
        assertTrue(failure.getMessage().contains("'..'"), failure.getMessage());
        assertThrows(ArtifactKeyException.class, () -> store.list("/absolute/", true));
    }

    @Test
    void aMissingLocalFileIsReportedAsSuch() {
        ArtifactStoreException failure = assertThrows(ArtifactStoreException.class,
                () -> store.put("models/x.onnx", dir.resolve("nope.onnx"), null, Map.of()));
        assertEquals(1, failure.attempts());
        assertTrue(failure.getMessage().contains("does not exist"), failure.getMessage());
    }

    /** Random content written in chunks: the test never holds the file in memory either. */
    private Path randomFile(String name, int size) throws IOException {
        Path file = dir.resolve(name);
        Random random = new Random(42);
        byte[] chunk = new byte[1024 * 1024];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (int written = 0; written < size; written += chunk.length) {
                random.nextBytes(chunk);
                out.write(chunk, 0, Math.min(chunk.length, size - written));
            }
        }
        return file;
    }

    private static String sha256(Path file) throws IOException {
        return ContentHash.of(file).sha256();
    }

    private static List<String> keys(List<ObjectInfo> objects) {
        return objects.stream().map(ObjectInfo::key).toList();
    }
}
