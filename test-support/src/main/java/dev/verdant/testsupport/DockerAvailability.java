package dev.verdant.testsupport;

/**
 * Whether a Docker engine answers here, as Testcontainers sees it. Without Testcontainers on the
 * classpath the answer is no.
 */
public final class DockerAvailability {

    private DockerAvailability() {
    }

    public static boolean isAvailable() {
        try {
            return org.testcontainers.DockerClientFactory.instance().isDockerAvailable();
        } catch (NoClassDefFoundError testcontainersMissing) {
            return false;
        }
    }
}
