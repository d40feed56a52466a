package dev.verdant.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class S3SettingsTest {

    @Test
    void regionDefaultsAndTheSecretStaysOutOfToString() {
        S3Settings settings = new S3Settings("http://127.0.0.1:9000", "me", "hush", "verdant");
        assertEquals("us-east-1", settings.region());
        assertEquals("eu-west-1", new S3Settings("http://h:1", "a", "s", "verdant", "eu-west-1").region());
        assertEquals("us-east-1", new S3Settings("http://h:1", "a", "s", "verdant", " ").region());
        assertFalse(settings.toString().contains("hush"), settings.toString());
        assertEquals("other", settings.withBucket("other").bucket());
    }

    @Test
    void rejectsWhatS3WouldRejectLater() {
        assertThrows(IllegalArgumentException.class, () -> new S3Settings("127.0.0.1:9000", "a", "s", "verdant"));
        assertThrows(IllegalArgumentException.class, () -> new S3Settings("ftp://h:1", "a", "s", "verdant"));
        assertThrows(IllegalArgumentException.class, () -> new S3Settings("http://h:1", "a", "s", "Verdant"));
        assertThrows(IllegalArgumentException.class, () -> new S3Settings("http://h:1", "a", "s", "ab"));
        assertThrows(IllegalArgumentException.class, () -> new S3Settings("http://h:1", "a", "s", "a..b"));
    }

    @Test
    void metadataIsCheckedAndFoldedToLowerCase() {
        assertEquals(Map.of("run-id", "42"), ArtifactStore.userMetadata(Map.of("Run-Id", "42")));
        assertTrue(ArtifactStore.userMetadata(null).isEmpty());
        assertThrows(IllegalArgumentException.class, () -> ArtifactStore.userMetadata(Map.of("run_id", "42")));
        assertThrows(IllegalArgumentException.class, () -> ArtifactStore.userMetadata(Map.of("x-amz-meta-a", "1")));
        assertThrows(IllegalArgumentException.class, () -> ArtifactStore.userMetadata(Map.of("sha256", "abc")));
        assertThrows(IllegalArgumentException.class, () -> ArtifactStore.userMetadata(Map.of("name", "modèle")));
        assertThrows(IllegalArgumentException.class, () -> ArtifactStore.userMetadata(Map.of("big", "x".repeat(2000))));
    }
}
