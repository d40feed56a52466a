package dev.verdant.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * docker-compose.yml through a real Compose implementation, where one is installed: the Python
 * docker-compose 1.29 (Debian package docker-compose) validates against its compose schema
 * without a Docker engine. Skipped, with the reason shown, elsewhere.
 */
class ComposeConfigTest {

    @Test
    void dockerComposeConfigAcceptsTheFile() throws Exception {
        String tool = onPath("docker-compose");
        assumeTrue(tool != null, "docker-compose not on PATH (apt-get install docker-compose): compose schema not checked here");
        Process p = new ProcessBuilder(List.of(tool, "-f", Repo.ROOT.resolve("docker-compose.yml").toString(), "config", "-q"))
                .directory(Repo.ROOT.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("docker-compose config did not finish in 60 s");
        }
        assertEquals(0, p.exitValue(), "docker-compose config -q rejected docker-compose.yml:\n" + out);
    }

    static String onPath(String name) {
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(java.io.File.pathSeparator)) {
                Path candidate = Path.of(dir, name);
                if (Files.isExecutable(candidate)) {
                    return candidate.toString();
                }
            }
        }
        return null;
    }
}
