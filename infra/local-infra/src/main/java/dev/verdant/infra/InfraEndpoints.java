package dev.verdant.infra;

import java.util.Objects;

/**
 * Where the local Kafka and S3 listen, and the S3 credentials: everything a client needs.
 *
 * @param kafkaBootstrapServers {@code host:port} of the broker's PLAINTEXT listener
 * @param s3Endpoint            {@code http://host:port} of the S3 API
 * @param accessKey             S3 access key (identity)
 * @param secretKey             S3 secret key (credential)
 */
public record InfraEndpoints(String kafkaBootstrapServers, String s3Endpoint, String accessKey, String secretKey) {

    public InfraEndpoints {
        Objects.requireNonNull(kafkaBootstrapServers, "kafkaBootstrapServers");
        Objects.requireNonNull(s3Endpoint, "s3Endpoint");
        Objects.requireNonNull(accessKey, "accessKey");
        Objects.requireNonNull(secretKey, "secretKey");
    }

    /** Keeps the secret out of logs and assertion messages. */
    @Override
    public String toString() {
        return "InfraEndpoints[kafkaBootstrapServers=" + kafkaBootstrapServers + ", s3Endpoint=" + s3Endpoint
                + ", accessKey=" + accessKey + ", secretKey=***]";
    }
}
