package dev.verdant.store;

import java.nio.charset.StandardCharsets;

/**
 * The rules for object keys in Verdant's bucket. S3 itself accepts almost any key, but keys are
 * also turned into local paths (downloads, the CLI) and URLs (reports), where {@code ..},
 * backslashes, leading slashes and control characters cause traversal bugs and surprises.
 * A valid key looks like {@code models/run-42/model.onnx}.
 */
public final class ArtifactKeys {

    /** S3's limit on a key, in UTF-8 bytes. */
    public static final int MAX_KEY_BYTES = 1024;
    private static final String EXAMPLE = " (a valid key looks like models/run-42/model.onnx)";

    private ArtifactKeys() {
    }

    /**
     * Returns {@code key} if the store accepts it.
     *
     * @throws ArtifactKeyException saying what is wrong
     */
    public static String validate(String key) {
        if (key == null) {
            throw new ArtifactKeyException("artifact key is missing (null)");
        }
        if (key.isEmpty()) {
            throw new ArtifactKeyException("artifact key is empty" + EXAMPLE);
        }
        check(key, key, false);
        return key;
    }

    /**
     * Returns {@code prefix} if it can start keys: empty (the whole bucket), or key-like, usually
     * ending with {@code /}.
     *
     * @throws ArtifactKeyException saying what is wrong
     */
    public static String validatePrefix(String prefix) {
        if (prefix == null) {
            throw new ArtifactKeyException("artifact key prefix is missing (null); use \"\" for the whole bucket");
        }
        if (!prefix.isEmpty()) {
            check(prefix, prefix, true);
        }
        return prefix;
    }

    private static void check(String value, String shown, boolean isPrefix) {
        String what = isPrefix ? "artifact key prefix " : "artifact key ";
        int bytes = value.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_KEY_BYTES) {
            throw new ArtifactKeyException(what + quote(shown) + " is " + bytes + " bytes long in UTF-8; S3 allows at most "
                    + MAX_KEY_BYTES);
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isISOControl(c)) {
                throw new ArtifactKeyException(what + quote(shown) + " contains the control character "
                        + String.format("U+%04X", (int) c) + " at position " + i);
            }
        }
        if (value.startsWith("/")) {
            throw new ArtifactKeyException(what + quote(shown)
                    + " starts with '/'; keys are relative to the bucket" + EXAMPLE);
        }
        if (value.indexOf('\\') >= 0) {
            throw new ArtifactKeyException(what + quote(shown) + " contains a backslash; separate segments with '/'"
                    + EXAMPLE);
        }
        if (value.contains("..")) {
            throw new ArtifactKeyException(what + quote(shown) + " contains '..', which could climb out of a directory"
                    + " once the key becomes a local path");
        }
        String body = isPrefix && value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
        for (String segment : body.split("/", -1)) {
            if (segment.isEmpty()) {
                throw new ArtifactKeyException(what + quote(shown) + " has an empty segment ('//'"
                        + (isPrefix ? "" : " or a trailing '/'") + ")" + EXAMPLE);
            }
            if (segment.equals(".")) {
                throw new ArtifactKeyException(what + quote(shown) + " has a '.' segment" + EXAMPLE);
            }
        }
    }

    /** The key as a person can read it in a message: control characters escaped, long keys cut. */
    private static String quote(String key) {
        StringBuilder shown = new StringBuilder("\"");
        int limit = Math.min(key.length(), 100);
        for (int i = 0; i < limit; i++) {
            char c = key.charAt(i);
            shown.append(Character.isISOControl(c) ? String.format("\\u%04X", (int) c) : String.valueOf(c));
        }
        if (key.length() > limit) {
            shown.append("...");
        }
        return shown.append('"').toString();
    }
}
