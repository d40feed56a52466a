package dev.verdant.store;

/** An artifact key (or prefix) that the store refuses; the message says what is wrong with it. */
public final class ArtifactKeyException extends IllegalArgumentException {

    ArtifactKeyException(String message) {
        super(message);
    }
}
