package dev.verdant.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.minio.errors.ErrorResponseException;
import io.minio.errors.InvalidResponseException;
import io.minio.errors.ServerException;
import io.minio.messages.ErrorResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.nio.file.NoSuchFileException;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

/**
 * Classification of failures an S3 server sends but s3proxy cannot be made to send (SlowDown,
 * 503): the SDK's exception types, built here as the SDK builds them. Real connection failures
 * and real HTTP answers are covered in {@link ArtifactStoreRetryTest}.
 */
class S3FailuresTest {

    @Test
    void serverSideTroubleIsTransient() {
        assertTrue(S3Failures.isTransient(errorResponse("SlowDown", 503)));
        assertTrue(S3Failures.isTransient(errorResponse("InternalError", 500)));
        assertTrue(S3Failures.isTransient(errorResponse("SomethingNew", 502)));
        assertTrue(S3Failures.isTransient(errorResponse("TooManyRequests", 429)));
        assertTrue(S3Failures.isTransient(new ServerException("server failed", 503, "trace")));
        assertTrue(S3Failures.isTransient(new InvalidResponseException(502, "text/html", "<html>Bad Gateway</html>", "")));
    }

    @Test
    void connectionTroubleIsTransientButALocalFileProblemIsNot() {
        assertTrue(S3Failures.isTransient(new ConnectException("Connection refused")));
        assertTrue(S3Failures.isTransient(new SocketTimeoutException("timeout")));
        assertTrue(S3Failures.isTransient(new UncheckedIOException(new IOException("reset"))), "found in the cause chain");
        assertFalse(S3Failures.isTransient(new NoSuchFileException("/models/missing.onnx")));
    }

    @Test
    void clientErrorsAreFinal() {
        assertFalse(S3Failures.isTransient(errorResponse("NoSuchKey", 404)));
        assertFalse(S3Failures.isTransient(errorResponse("AccessDenied", 403)));
        assertFalse(S3Failures.isTransient(errorResponse("SignatureDoesNotMatch", 403)));
        assertFalse(S3Failures.isTransient(new InvalidResponseException(403, "text/html", "forbidden", "")));
        assertFalse(S3Failures.isTransient(new IllegalStateException("bug")));
    }

    @Test
    void notFoundIsRecognisedAndDescribedForPeople() {
        assertTrue(S3Failures.isNotFound(errorResponse("NoSuchKey", 404)));
        assertFalse(S3Failures.isNotFound(errorResponse("NoSuchBucket", 404)));
        assertEquals("SlowDown (HTTP 503): Please reduce your request rate.", S3Failures.describe(errorResponse("SlowDown", 503)));
        assertEquals("cannot connect (Connection refused)", S3Failures.describe(new ConnectException("Connection refused")));
    }

    private static ErrorResponseException errorResponse(String code, int status) {
        Response response = new Response.Builder()
                .request(new Request.Builder().url("http://127.0.0.1:9/bucket/key").build())
                .protocol(Protocol.HTTP_1_1).code(status).message("status " + status).build();
        String message = code.equals("SlowDown") ? "Please reduce your request rate." : code;
        return new ErrorResponseException(new ErrorResponse(code, message, "bucket", "key", "/bucket/key", "1", "host"),
                response, "trace");
    }
}
