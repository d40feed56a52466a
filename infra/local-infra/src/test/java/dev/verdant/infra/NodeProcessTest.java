package dev.verdant.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.verdant.infra.NodeRecord.ProcessId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The state file and orphan handling, with real (small) processes standing in for servers. */
class NodeProcessTest {

    @TempDir
    Path dir;

    @Test
    void stateFileRoundTripsAndIsPrivate() throws IOException {
        NodeRecord written = new NodeRecord("s3", ProcessId.current(), Lifecycle.DETACHED, ProcessId.current(),
                dir.resolve("s3proxy.log"), Map.of("endpoint", "http://127.0.0.1:1", "secret-key", "s"));
        written.write(dir);

        NodeRecord read = NodeRecord.read(dir).orElseThrow();
        assertEquals(written.process().pid(), read.process().pid());
        assertEquals(written.endpoint(), read.endpoint());
        assertEquals(Lifecycle.DETACHED, read.lifecycle());
        assertTrue(read.liveProcess().isPresent(), "this JVM is alive");
        assertEquals(ProcessHandle.current().pid() + System.lineSeparator(), Files.readString(dir.resolve("s3.pid")));
        if (Files.getFileStore(dir).supportsFileAttributeView("posix")) {
            assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(NodeRecord.file(dir))));
        }

        NodeRecord.delete(dir, "s3");
        assertTrue(NodeRecord.read(dir).isEmpty());
    }

    @Test
    void aReusedPidDoesNotCountAsTheNode() {
        // Same pid as this JVM, but a start instant an hour earlier: some other process now.
        ProcessId reused = new ProcessId(ProcessHandle.current().pid(),
                ProcessHandle.current().info().startInstant().orElseThrow().minusSeconds(3600));
        assertTrue(reused.live().isEmpty());
    }

    @Test
    void anAttachedNodeWhoseJvmIsGoneIsStopped() throws Exception {
        Process node = sleeper();
        try {
            new NodeRecord("kafka", ProcessId.of(node.toHandle()), Lifecycle.ATTACHED, deadProcess(),
                    dir.resolve("kafka.log"), Map.of()).write(dir);

            NodeProcess.reapOrphan("kafka", dir);

            assertTrue(node.waitFor(10, TimeUnit.SECONDS), "the orphan was stopped");
            assertTrue(NodeRecord.read(dir).isEmpty(), "its state file is gone");
        } finally {
            node.destroyForcibly();
        }
    }

    @Test
    void aNodeSomeoneStillOwnsIsNeverTouched() throws Exception {
        Process node = sleeper();
        try {
            new NodeRecord("kafka", ProcessId.of(node.toHandle()), Lifecycle.DETACHED, deadProcess(),
                    dir.resolve("kafka.log"), Map.of()).write(dir);

            var failure = assertThrows(StateDirectoryInUseException.class, () -> NodeProcess.reapOrphan("kafka", dir));
            assertTrue(failure.getMessage().contains("already running"), failure.getMessage());
            assertTrue(failure.getMessage().contains(Long.toString(node.pid())), failure.getMessage());
            assertTrue(node.isAlive());
        } finally {
            node.destroyForcibly();
        }
    }

    @Test
    void aStaleStateFileOfADeadNodeIsCleared() {
        new NodeRecord("s3", deadProcess(), Lifecycle.DETACHED, deadProcess(), dir.resolve("s3proxy.log"), Map.of())
                .write(dir);

        NodeProcess.reapOrphan("s3", dir);

        assertTrue(NodeRecord.read(dir).isEmpty());
        assertEquals(NodeStatus.State.STOPPED, LocalInfrastructure.status(dir.getParent().resolve("nothing")).s3().state());
    }

    @Test
    void theLogTailShowsOnlyTheLatestStart() throws IOException {
        Path log = dir.resolve("x.log");
        Files.writeString(log, "old failure: Address already in use\n===== verdant: starting x at then =====\nfine\n");
        String tail = NodeProcess.logTail(log);
        assertTrue(tail.contains("fine"));
        assertFalse(tail.contains("old failure"), tail);
        assertFalse(NodeProcess.failedToBind(log));
    }

    @Test
    void aDamagedStateFileSaysWhatToDo() throws IOException {
        Files.writeString(NodeRecord.file(dir), "name=kafka\npid=not-a-number\n");
        var failure = assertThrows(LocalInfrastructureException.class, () -> NodeRecord.read(dir));
        assertTrue(failure.getMessage().contains("damaged"), failure.getMessage());
    }

    @Test
    void aZombieHasExitedEvenThoughTheJdkCallsItAlive() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/proc/self")) && Files.isExecutable(Path.of("/bin/sh")), "needs Linux");
        // sh starts a child that exits at once, then becomes `sleep`, which never collects it: a
        // zombie, as a detached node becomes when its parent (PID 1 in a container) is slow to reap.
        Process parent = new ProcessBuilder("/bin/sh", "-c", "sleep 0 & echo $!; exec sleep 30").start();
        try {
            long zombiePid = Long.parseLong(new java.io.BufferedReader(
                    new java.io.InputStreamReader(parent.getInputStream())).readLine().trim());
            ProcessHandle zombie = ProcessHandle.of(zombiePid).orElseThrow();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (NodeProcess.isRunning(zombie) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(zombie.isAlive(), "the JDK still sees it");
            assertFalse(NodeProcess.isRunning(zombie));
            assertFalse(NodeProcess.terminate(zombie, "zombie", java.time.Duration.ofSeconds(1)), "nothing to stop");
        } finally {
            parent.destroyForcibly();
        }
    }

    private static Process sleeper() throws IOException {
        assumeTrue(Files.isExecutable(Path.of("/bin/sleep")), "needs /bin/sleep");
        return new ProcessBuilder("/bin/sleep", "60").start();
    }

    /** The identity of a process that has already exited. */
    private static ProcessId deadProcess() {
        try {
            Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-version").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            ProcessId id = new ProcessId(process.pid(), Instant.now());
            process.waitFor();
            return id;
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
