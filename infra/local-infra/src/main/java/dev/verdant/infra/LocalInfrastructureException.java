package dev.verdant.infra;

/** A local node could not be started, checked or stopped; the message says which and why. */
public class LocalInfrastructureException extends RuntimeException {

    public LocalInfrastructureException(String message) {
        super(message);
    }

    public LocalInfrastructureException(String message, Throwable cause) {
        super(message, cause);
    }
}
