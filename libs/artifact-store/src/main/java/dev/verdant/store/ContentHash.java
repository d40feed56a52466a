package dev.verdant.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 of content, computed while streaming: never more than a buffer of it in memory. */
record ContentHash(long size, String sha256) {

    private static final int BUFFER_BYTES = 64 * 1024;

    static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    static String hex(MessageDigest digest) {
        return HexFormat.of().formatHex(digest.digest());
    }

    static ContentHash of(byte[] content) {
        MessageDigest digest = newDigest();
        digest.update(content);
        return new ContentHash(content.length, hex(digest));
    }

    static ContentHash of(Path file) throws IOException {
        MessageDigest digest = newDigest();
        long size = 0;
        byte[] buffer = new byte[BUFFER_BYTES];
        try (InputStream in = Files.newInputStream(file)) {
            for (int read; (read = in.read(buffer)) != -1; ) {
                digest.update(buffer, 0, read);
                size += read;
            }
        }
        return new ContentHash(size, hex(digest));
    }
}
