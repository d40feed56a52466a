package dev.verdant.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/** deploy/Dockerfile: a text check of what compose and k8s rely on (no Docker here to build it). */
class DockerfileTest {

    private static final List<String> LINES = Repo.read(Repo.ROOT.resolve("deploy/Dockerfile")).lines()
            .filter(l -> !l.isBlank() && !l.startsWith("#")).toList();

    @Test
    void javaSeventeenRuntimeOneServiceChosenByBuildArgument() {
        assertEquals("FROM eclipse-temurin:17-jre", LINES.get(0));
        assertTrue(LINES.contains("ARG SERVICE"));
        assertTrue(LINES.stream().anyMatch(l -> l.contains("services/${SERVICE}/target/quarkus-app/quarkus-run.jar")));
        assertTrue(LINES.stream().anyMatch(l -> l.contains("services/${SERVICE}/target/quarkus-app/lib/")));
    }

    @Test
    void runsAsNumericNonRootUserSoKubernetesCanVerifyRunAsNonRoot() {
        String user = LINES.stream().filter(l -> l.startsWith("USER ")).reduce((a, b) -> b).orElseThrow();
        String uid = user.substring(5).split(":")[0];
        assertTrue(uid.matches("\\d+") && Integer.parseInt(uid) > 0, user);
        assertEquals("10001", uid, "k8s/base sets runAsUser 10001 to match");
    }

    @Test
    void heapComesFromJavaMaxHeapAndTheFastJarIsStarted() {
        String entry = LINES.stream().filter(l -> l.startsWith("ENTRYPOINT")).findFirst().orElseThrow();
        assertTrue(entry.contains("exec java -Xmx${JAVA_MAX_HEAP}"), entry);
        assertTrue(entry.contains("-jar /deployments/quarkus-run.jar"), entry);
        assertTrue(LINES.stream().anyMatch(l -> l.contains("curl")), "the compose health check runs curl in the image");
    }
}
