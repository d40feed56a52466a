package dev.verdant.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalInfrastructureMainTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @Test
    void statusOfAnEmptyDirectoryIsNotRunning(@TempDir Path dir) {
        int code = run("status", "--state-dir", dir.toString());

        assertEquals(3, code);
        assertTrue(text(out).contains("kafka: stopped"), text(out));
        assertTrue(text(out).contains("s3: stopped"), text(out));
    }

    @Test
    void downWithNothingRunningSaysSo(@TempDir Path dir) {
        assertEquals(0, run("down", "--state-dir", dir.toString()));
        assertTrue(text(out).contains("nothing was running"), text(out));
    }

    @Test
    void mistakesGetUsage() {
        assertEquals(2, run());
        assertEquals(2, run("sideways"));
        assertEquals(2, run("up", "--kafka-port", "many"));
        assertTrue(text(err).contains("--kafka-port needs a port number, got many"), text(err));
        assertTrue(text(err).contains("usage:"), text(err));
    }

    private int run(String... args) {
        return LocalInfrastructureMain.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private static String text(ByteArrayOutputStream stream) {
        return stream.toString(StandardCharsets.UTF_8);
    }
}
