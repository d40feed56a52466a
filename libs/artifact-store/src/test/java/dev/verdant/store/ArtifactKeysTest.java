package dev.verdant.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class ArtifactKeysTest {

    @ParameterizedTest
    @ValueSource(strings = {"model.onnx", "models/run-42/model.onnx", "reports/2026-11-29/verdict.html",
            "a/b/c/d.e.f", "modèle/ünïcode.onnx", "v1.2/x"})
    void acceptsOrdinaryKeys(String key) {
        assertEquals(key, ArtifactKeys.validate(key));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "/models/a.onnx        | starts with '/'",
            "models\\a.onnx        | contains a backslash",
            "models/../secret      | contains '..'",
            "models/a..onnx        | contains '..'",
            "models//a.onnx        | empty segment",
            "models/               | empty segment",
            "models/./a.onnx       | has a '.' segment",
    })
    void rejectsKeysThatWouldMisbehaveAsPaths(String key, String reason) {
        ArtifactKeyException failure = assertThrows(ArtifactKeyException.class, () -> ArtifactKeys.validate(key));
        assertTrue(failure.getMessage().contains(reason), failure.getMessage());
        assertTrue(failure.getMessage().contains(key), "names the key: " + failure.getMessage());
    }

    @Test
    void rejectsControlCharactersAndShowsThemEscaped() {
        ArtifactKeyException failure = assertThrows(ArtifactKeyException.class, () -> ArtifactKeys.validate("a\nb"));
        assertEquals("artifact key \"a\\u000Ab\" contains the control character U+000A at position 1", failure.getMessage());
        assertThrows(ArtifactKeyException.class, () -> ArtifactKeys.validate("a\u007fb"));
    }

    @Test
    void rejectsEmptyMissingAndOverlongKeys() {
        assertTrue(assertThrows(ArtifactKeyException.class, () -> ArtifactKeys.validate("")).getMessage().contains("empty"));
        assertTrue(assertThrows(ArtifactKeyException.class, () -> ArtifactKeys.validate(null)).getMessage().contains("null"));
        assertEquals(1024, ArtifactKeys.validate("k".repeat(1024)).length());
        // 600 two-byte characters: 600 chars, 1200 bytes. The limit is on bytes.
        ArtifactKeyException failure = assertThrows(ArtifactKeyException.class, () -> ArtifactKeys.validate("é".repeat(600)));
        assertTrue(failure.getMessage().contains("1200 bytes long in UTF-8; S3 allows at most 1024"), failure.getMessage());
        assertTrue(failure.getMessage().length() < 300, "a long key is cut short in the message");
    }

    @Test
    void prefixesMayBeEmptyOrEndWithASlash() {
        assertEquals("", ArtifactKeys.validatePrefix(""));
        assertEquals("models/", ArtifactKeys.validatePrefix("models/"));
        assertEquals("models/run-", ArtifactKeys.validatePrefix("models/run-"));
        assertThrows(ArtifactKeyException.class, () -> ArtifactKeys.validatePrefix("models//"));
        assertThrows(ArtifactKeyException.class, () -> ArtifactKeys.validatePrefix("/models/"));
        assertThrows(ArtifactKeyException.class, () -> ArtifactKeys.validatePrefix("../"));
        assertThrows(ArtifactKeyException.class, () -> ArtifactKeys.validatePrefix(null));
    }
}
