package dev.verdant.store;

import java.net.URI;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where the bucket is and how to sign requests.
 *
 * @param endpoint  e.g. {@code http://127.0.0.1:9000}; path-style addressing is used for IPs and
 *                  non-AWS hosts
 * @param accessKey S3 access key
 * @param secretKey S3 secret key
 * @param bucket    the bucket every key lives in
 * @param region    the signing region; {@value #DEFAULT_REGION} when null or blank
 */
public record S3Settings(String endpoint, String accessKey, String secretKey, String bucket, String region) {

    public static final String DEFAULT_REGION = "us-east-1";
    /** S3's bucket naming rules, in short: 3-63 of a-z, 0-9, '.', '-', starting and ending alphanumeric. */
    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");

    public S3Settings {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(accessKey, "accessKey");
        Objects.requireNonNull(secretKey, "secretKey");
        Objects.requireNonNull(bucket, "bucket");
        URI uri = URI.create(endpoint);
        if (uri.getScheme() == null || uri.getHost() == null
                || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
            throw new IllegalArgumentException("S3 endpoint must be an http(s) URL such as http://127.0.0.1:9000, was "
                    + endpoint);
        }
        if (!BUCKET.matcher(bucket).matches() || bucket.contains("..")) {
            throw new IllegalArgumentException("bucket name \"" + bucket + "\" breaks S3's rules: 3-63 characters of"
                    + " a-z, 0-9, '.', '-', starting and ending with a letter or digit");
        }
        region = region == null || region.isBlank() ? DEFAULT_REGION : region;
    }

    public S3Settings(String endpoint, String accessKey, String secretKey, String bucket) {
        this(endpoint, accessKey, secretKey, bucket, DEFAULT_REGION);
    }

    /** The same server and credentials, another bucket. */
    public S3Settings withBucket(String bucket) {
        return new S3Settings(endpoint, accessKey, secretKey, bucket, region);
    }

    /** Keeps the secret out of logs. */
    @Override
    public String toString() {
        return "S3Settings[endpoint=" + endpoint + ", accessKey=" + accessKey + ", secretKey=***, bucket=" + bucket
                + ", region=" + region + "]";
    }
}
