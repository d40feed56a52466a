package dev.verdant.infra;

/** Who owns a node's child process. */
public enum Lifecycle {
    /**
     * The starting JVM owns the node: a shutdown hook stops it when that JVM exits. If the JVM is
     * killed without running hooks, the next start in the same data directory stops the orphan.
     */
    ATTACHED,
    /**
     * The node outlives the starting JVM (verdant up): it runs in its own session, with its pid
     * and endpoints in the data directory, and is stopped later by pid (verdant down).
     */
    DETACHED
}
