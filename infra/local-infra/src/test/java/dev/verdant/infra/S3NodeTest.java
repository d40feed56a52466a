package dev.verdant.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class S3NodeTest {

    @Test
    void propertiesServeTheDataDirectoryOverSignedS3() throws IOException {
        Properties properties = new Properties();
        S3Node.Options options = S3Node.Options.defaults().withCredentials("me", "my-secret");
        properties.load(new StringReader(S3Node.properties(Path.of("/tmp/s"), 18080, options)));

        assertEquals("http://127.0.0.1:18080", properties.getProperty("s3proxy.endpoint"));
        assertEquals("aws-v2-or-v4", properties.getProperty("s3proxy.authorization"));
        assertEquals("me", properties.getProperty("s3proxy.identity"));
        assertEquals("my-secret", properties.getProperty("s3proxy.credential"));
        assertEquals("filesystem", properties.getProperty("jclouds.provider"));
        assertEquals(Path.of("/tmp/s/blobs").toString(), properties.getProperty("jclouds.filesystem.basedir"));
    }

    @Test
    void optionsKeepTheSecretOutOfToString() {
        S3Node.Options options = S3Node.Options.defaults().withCredentials("me", "my-secret");
        assertFalse(options.toString().contains("my-secret"));
        assertFalse(new InfraEndpoints("a:1", "http://b", "me", "my-secret").toString().contains("my-secret"));
    }

    @Test
    void optionsRejectCredentialsThePropertiesFileCannotCarry() {
        assertThrows(IllegalArgumentException.class, () -> S3Node.Options.defaults().withCredentials("", "x"));
        assertThrows(IllegalArgumentException.class, () -> S3Node.Options.defaults().withCredentials("a b", "x"));
        assertThrows(IllegalArgumentException.class, () -> S3Node.Options.defaults().withMaxHeap("256"));
    }
}
