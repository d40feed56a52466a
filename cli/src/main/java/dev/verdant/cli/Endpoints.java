package dev.verdant.cli;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * Where the CLI finds Kafka and S3: written by {@code verdant up} into the workspace, or given by
 * the environment (VERDANT_KAFKA_BOOTSTRAP_SERVERS, VERDANT_S3_ENDPOINT, VERDANT_S3_ACCESS_KEY,
 * VERDANT_S3_SECRET_KEY, VERDANT_S3_BUCKET) to talk to a Verdant that runs elsewhere.
 */
record Endpoints(String kafkaBootstrapServers, String s3Endpoint, String accessKey, String secretKey, String bucket) {
    static final String FILE = "endpoints.properties";

    static Endpoints load(Path workspace) {
        Properties p = new Properties();
        Path file = workspace.resolve(FILE);
        if (Files.exists(file)) {
            try (Reader r = Files.newBufferedReader(file)) {
                p.load(r);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
        }
        String kafka = env("VERDANT_KAFKA_BOOTSTRAP_SERVERS", p.getProperty("kafka.bootstrap.servers"));
        String s3 = env("VERDANT_S3_ENDPOINT", p.getProperty("s3.endpoint"));
        if (kafka == null || s3 == null) {
            throw new CliException("no Verdant is running here: start one with ./verdant up"
                    + " (or set VERDANT_KAFKA_BOOTSTRAP_SERVERS and VERDANT_S3_ENDPOINT to use one elsewhere)");
        }
        return new Endpoints(kafka, s3, env("VERDANT_S3_ACCESS_KEY", p.getProperty("s3.access-key")),
                env("VERDANT_S3_SECRET_KEY", p.getProperty("s3.secret-key")),
                env("VERDANT_S3_BUCKET", p.getProperty("s3.bucket", "verdant")));
    }

    void save(Path workspace) {
        Properties p = new Properties();
        p.setProperty("kafka.bootstrap.servers", kafkaBootstrapServers);
        p.setProperty("s3.endpoint", s3Endpoint);
        p.setProperty("s3.access-key", accessKey);
        p.setProperty("s3.secret-key", secretKey);
        p.setProperty("s3.bucket", bucket);
        try {
            Files.createDirectories(workspace);
            Path file = workspace.resolve(FILE);
            try (Writer w = Files.newBufferedWriter(file)) {
                p.store(w, "written by verdant up; local development credentials");
            }
            file.toFile().setReadable(false, false);
            file.toFile().setReadable(true, true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + workspace.resolve(FILE), e);
        }
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }

    @Override
    public String toString() {
        return "Endpoints[kafka=" + kafkaBootstrapServers + ", s3=" + s3Endpoint + ", bucket=" + bucket + "]";
    }
}
