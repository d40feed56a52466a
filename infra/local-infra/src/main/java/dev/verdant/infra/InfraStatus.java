package dev.verdant.infra;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The local infrastructure recorded in a state directory.
 *
 * @param endpoints present when both nodes run
 */
public record InfraStatus(Path stateDir, NodeStatus kafka, NodeStatus s3, Optional<InfraEndpoints> endpoints) {

    public boolean running() {
        return kafka.running() && s3.running();
    }

    public boolean anyRunning() {
        return kafka.running() || s3.running();
    }
}
