package dev.verdant.store;

import io.minio.errors.ErrorResponseException;
import io.minio.errors.InvalidResponseException;
import io.minio.errors.ServerException;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.file.FileSystemException;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Which S3 failures are worth retrying, and how to say what happened. */
final class S3Failures {

    /** S3 error codes that mean "try again later", whatever the HTTP status says. */
    private static final Set<String> TRANSIENT_CODES = Set.of(
            "SlowDown", "InternalError", "ServiceUnavailable", "RequestTimeout", "OperationAborted",
            "ThrottlingException");
    private static final Set<String> NOT_FOUND_CODES = Set.of("NoSuchKey", "NoSuchObject");
    private static final Pattern NON_XML_STATUS = Pattern.compile("Response code: (\\d{3})");

    private S3Failures() {
    }

    /**
     * Transient: I/O and connection failures, HTTP 5xx and 429, SlowDown and its kin. Everything else
     * (4xx such as NoSuchKey or AccessDenied, a bad local file) fails the same way on every attempt.
     */
    static boolean isTransient(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ErrorResponseException e) {
                String code = e.errorResponse() == null ? null : e.errorResponse().code();
                return (code != null && TRANSIENT_CODES.contains(code)) || isRetryableStatus(status(e));
            }
            if (t instanceof ServerException e) {
                return isRetryableStatus(e.statusCode());
            }
            if (t instanceof InvalidResponseException e) {
                // A non-XML answer, e.g. a proxy's HTML 502 page.
                return isRetryableStatus(nonXmlStatus(e));
            }
            if (t instanceof FileSystemException) {
                return false; // the local file: missing, unreadable; no server can fix that
            }
            if (t instanceof IOException) {
                return true;
            }
        }
        return false;
    }

    static boolean isNotFound(Throwable failure) {
        return failure instanceof ErrorResponseException e && e.errorResponse() != null
                && NOT_FOUND_CODES.contains(e.errorResponse().code());
    }

    /** A short account of a failure for a person: the S3 error code and status, or the I/O problem. */
    static String describe(Throwable failure) {
        if (failure instanceof ErrorResponseException e && e.errorResponse() != null) {
            int status = status(e);
            return e.errorResponse().code() + (status > 0 ? " (HTTP " + status + ")" : "")
                    + (e.errorResponse().message() == null ? "" : ": " + e.errorResponse().message());
        }
        if (failure instanceof ServerException e) {
            return "HTTP " + e.statusCode() + " from the server";
        }
        if (failure instanceof ConnectException) {
            return "cannot connect (" + failure.getMessage() + ")";
        }
        String message = failure.getMessage();
        return failure.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    private static boolean isRetryableStatus(int status) {
        return status >= 500 || status == 429;
    }

    private static int status(ErrorResponseException e) {
        return e.response() == null ? -1 : e.response().code();
    }

    private static int nonXmlStatus(InvalidResponseException e) {
        Matcher matcher = NON_XML_STATUS.matcher(String.valueOf(e.getMessage()));
        return matcher.find() ? Integer.parseInt(matcher.group(1)) : -1;
    }
}
