package dev.verdant.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.FileInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The S3 TLS settings docs/reliability.md documents: an https endpoint whose certificate comes from
 * a private CA is refused by default and trusted with either (1) {@code SSL_CERT_FILE} in the
 * environment, the CA's PEM certificate, which MinIO's SDK reads when it builds its HTTP client,
 * or (2) with {@code SSL_CERT_FILE} unset, the JVM's trust store
 * ({@code -Djavax.net.ssl.trustStore=...}, JAVA_OPTS in the image). The endpoint is an HTTPS server
 * with a self-signed certificate made by keytool; the client is the artifact store in a JVM of its
 * own, started without the SSL_CERT_FILE of the test's environment.
 */
class S3TlsTrustStoreIT {
    private static final String PASSWORD = "changeit-probe";

    @TempDir
    Path dir;

    @Test
    void aPrivateCaIsTrustedThroughTheJvmTrustStoreAndRefusedWithoutIt() throws Exception {
        Path serverKeys = dir.resolve("server.p12");
        Path certificate = dir.resolve("server.crt");
        Path trustStore = dir.resolve("s3-ca.p12");
        keytool("-genkeypair", "-alias", "s3", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1", "-storetype", "PKCS12",
                "-keystore", serverKeys.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD);
        keytool("-exportcert", "-alias", "s3", "-keystore", serverKeys.toString(), "-storepass", PASSWORD,
                "-rfc", "-file", certificate.toString());
        keytool("-importcert", "-noprompt", "-alias", "s3-ca", "-file", certificate.toString(), "-storetype",
                "PKCS12", "-keystore", trustStore.toString(), "-storepass", PASSWORD);

        AtomicInteger requests = new AtomicInteger();
        HttpsServer server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(sslContext(serverKeys)));
        server.createContext("/", exchange -> {
            requests.incrementAndGet();
            exchange.sendResponseHeaders(404, -1); // HEAD of a missing object
            exchange.close();
        });
        server.start();
        try {
            String endpoint = "https://127.0.0.1:" + server.getAddress().getPort();

            String untrusted = probe(endpoint, List.of(), null);
            assertThat(untrusted).startsWith("failed").containsAnyOf("PKIX", "certification path", "SSLHandshake");
            assertThat(requests.get()).as("no request gets through an untrusted TLS handshake").isZero();

            String jvmTrustStore = probe(endpoint, List.of("-Djavax.net.ssl.trustStore=" + trustStore,
                    "-Djavax.net.ssl.trustStorePassword=" + PASSWORD, "-Djavax.net.ssl.trustStoreType=PKCS12"), null);
            assertThat(jvmTrustStore).isEqualTo("reached");

            String trusted = probe(endpoint, List.of(), certificate);
            assertThat(trusted).isEqualTo("reached");
            assertThat(requests.get()).as("the request arrived over TLS").isPositive();
            System.out.println("S3 TLS IT: without a CA setting: " + untrusted + "; with -Djavax.net.ssl.trustStore: "
                    + jvmTrustStore + "; with SSL_CERT_FILE: " + trusted + " (" + requests.get() + " requests served)");
        } finally {
            server.stop(0);
        }
    }

    private static SSLContext sslContext(Path keyStore) throws Exception {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (FileInputStream in = new FileInputStream(keyStore.toFile())) {
            keys.load(in, PASSWORD.toCharArray());
        }
        KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        factory.init(keys, PASSWORD.toCharArray());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(factory.getKeyManagers(), null, null);
        return context;
    }

    private static String probe(String endpoint, List<String> jvmOptions, Path caCertificate) throws Exception {
        List<String> command = new ArrayList<>(List.of(javaBinary(), "-Xmx256m", "-cp",
                System.getProperty("java.class.path")));
        command.addAll(jvmOptions);
        command.add(S3TrustStoreProbe.class.getName());
        command.add(endpoint);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().remove("SSL_CERT_FILE");
        if (caCertificate != null) {
            builder.environment().put("SSL_CERT_FILE", caCertificate.toString());
        }
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return output.lines().filter(l -> l.startsWith("reached") || l.startsWith("failed")).reduce((a, b) -> b)
                .orElse("no result: " + output);
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IllegalStateException("keytool " + String.join(" ", args) + " failed: " + output);
        }
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
