package dev.verdant.distillation;

/** The teacher graph is not an encoder this distiller can rebuild; the message says what is missing. */
final class UnsupportedModelException extends RuntimeException {

    UnsupportedModelException(String message) {
        super(message);
    }
}
