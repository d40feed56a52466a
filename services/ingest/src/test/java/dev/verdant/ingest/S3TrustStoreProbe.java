package dev.verdant.ingest;

import dev.verdant.store.ArtifactStore;
import dev.verdant.store.RetryPolicy;
import dev.verdant.store.S3Settings;

/**
 * Run in a JVM of its own by {@link S3TlsTrustStoreIT}: one request through the artifact store to
 * the https endpoint given, with whatever javax.net.ssl.* properties the JVM was started with (as
 * a service is, through JAVA_OPTS). Prints "reached" or the failure's class and message.
 */
public final class S3TrustStoreProbe {
    private S3TrustStoreProbe() {
    }

    public static void main(String[] args) {
        try (ArtifactStore store = new ArtifactStore(new S3Settings(args[0], "probe", "probe-secret", "verdant"),
                RetryPolicy.none())) {
            store.exists("probe/object");
            System.out.println("reached");
        } catch (RuntimeException e) {
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            System.out.println("failed: " + e.getMessage() + " / " + root.getClass().getName() + ": " + root.getMessage());
        }
    }
}
