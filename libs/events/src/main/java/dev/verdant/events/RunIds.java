package dev.verdant.events;

import java.nio.charset.StandardCharsets;

/**
 * Run ids are derived, never drawn: the same model bytes with the same (canonical) recipe always
 * name the same run, which is what makes a repeated upload, a replay or a second ingest instance
 * harmless.
 */
public final class RunIds {
    private RunIds() {
    }

    /** {@code run-} + the first 20 hex digits (80 bits) of sha256(modelSha256 + ':' + recipeSha256). */
    public static String runId(String modelSha256, String recipeSha256) {
        String digest = Hashes.sha256((modelSha256 + ":" + recipeSha256).getBytes(StandardCharsets.UTF_8));
        return "run-" + digest.substring(0, 20);
    }
}
