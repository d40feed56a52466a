package dev.verdant.evaluation;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * ONNX Runtime 1.29.0 overflows a 1 MiB thread stack when it creates its environment in a process
 * with a long command line (see OnnxRuntimeStartup). Surefire's own command line is short, so the
 * test starts a child JVM with a 16 KB one, as the ./verdant launcher's class path makes it.
 */
class OnnxRuntimeStartupTest {

    /** Child entry point: start the engine the way the evaluator does, print the runtime version. */
    public static void main(String[] args) throws Exception {
        System.out.println("engine " + OnnxRuntimeStartup.engine().getVersion());
    }

    @Test
    void startsWithALongCommandLine() throws IOException, InterruptedException {
        Process child = new ProcessBuilder(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-Xss1m",
                "-Dpadding=" + "x".repeat(16_000),
                "-Dai.djl.offline=true",
                "-DDJL_CACHE_DIR=" + System.getProperty("DJL_CACHE_DIR", "target/djl-cache"),
                "-cp", System.getProperty("java.class.path"),
                OnnxRuntimeStartupTest.class.getName()))
                .redirectErrorStream(true)
                .start();
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(child.exitValue()).as(output).isZero();
        assertThat(output).contains("engine ");
    }

    @Test
    void stackGrowsWithTheCommandLine() {
        assertThat(OnnxRuntimeStartup.stackBytes()).isGreaterThanOrEqualTo(64L << 20);
    }
}
