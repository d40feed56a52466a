package dev.verdant.infra;

import dev.verdant.infra.NodeRecord.ProcessId;
import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A server running in a child JVM: launch, readiness wait, graceful-then-forcible stop, and the
 * state file that lets another JVM find it again.
 *
 * <p>Child JVMs rather than in-process servers: Kafka's and s3proxy's dependency trees (Scala,
 * Jackson 3, Jetty 12, log4j bindings) clash with Quarkus', and a child can outlive the CLI.
 */
final class NodeProcess {

    private static final System.Logger LOG = System.getLogger(NodeProcess.class.getName());

    /** After SIGKILL the OS needs a moment to reap the process and release its ports. */
    private static final Duration KILL_WAIT = Duration.ofSeconds(10);
    static final Duration DEFAULT_STOP_GRACE = Duration.ofSeconds(20);
    private static final int LOG_TAIL_LINES = 40;
    private static final String START_MARKER = "===== verdant: starting ";

    /** Puts a detached child in its own session: a hangup or Ctrl-C meant for the CLI's terminal
     *  then does not reach it, nor does a CI runner that kills the CLI's process group. */
    private static final List<Path> SETSID = List.of(Path.of("/usr/bin/setsid"), Path.of("/bin/setsid"));

    /** A check run repeatedly until it says yes; an exception means "not yet". */
    @FunctionalInterface
    interface Probe {
        boolean ready() throws Exception;
    }

    /** What to run: the child JVM's options, the server's main class and its arguments. */
    record Command(List<String> jvmOptions, ServerClasspath classpath, String mainClass, List<String> arguments) {
        Command {
            jvmOptions = List.copyOf(jvmOptions);
            arguments = List.copyOf(arguments);
        }
    }

    private final String name;
    private final Path dataDir;
    private final Path logFile;
    private final Process process;
    private final ProcessId id;
    private final Lifecycle lifecycle;
    private volatile Thread shutdownHook;

    private NodeProcess(String name, Path dataDir, Path logFile, Process process, Lifecycle lifecycle) {
        this.name = name;
        this.dataDir = dataDir;
        this.logFile = logFile;
        this.process = process;
        this.id = ProcessId.of(process.toHandle());
        this.lifecycle = lifecycle;
    }

    /**
     * Stops an earlier node in {@code dataDir} that nobody owns any more (an attached node whose JVM
     * was killed), and refuses when a live one belongs to someone else.
     *
     * @throws StateDirectoryInUseException when a node that is not an orphan runs there
     */
    static void reapOrphan(String name, Path dataDir) {
        Optional<NodeRecord> previous = NodeRecord.read(dataDir);
        if (previous.isEmpty()) {
            return;
        }
        NodeRecord record = previous.get();
        Optional<ProcessHandle> live = record.liveProcess();
        if (live.isPresent()) {
            if (!record.isOrphan()) {
                throw new StateDirectoryInUseException(dataDir, name + " is already running in " + dataDir + " (pid "
                        + record.process().pid() + ", " + record.lifecycle().name().toLowerCase() + ", started by pid "
                        + record.owner().pid() + "); stop it first or use another directory");
            }
            LOG.log(Level.WARNING, () -> "Stopping orphaned " + name + " (pid " + record.process().pid() + ") left in "
                    + dataDir + " by JVM " + record.owner().pid() + ", which is gone");
            terminate(live.get(), name, DEFAULT_STOP_GRACE);
        }
        NodeRecord.delete(dataDir, name);
    }

    static NodeProcess launch(String name, Path dataDir, Path logFile, Command command, Lifecycle lifecycle) {
        List<String> commandLine = new ArrayList<>();
        if (lifecycle == Lifecycle.DETACHED) {
            SETSID.stream().filter(Files::isExecutable).findFirst().ifPresent(p -> commandLine.add(p.toString()));
        }
        commandLine.addAll(javaCommand(name, dataDir, command));
        ProcessBuilder builder = new ProcessBuilder(commandLine)
                .directory(dataDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        File devNull = new File("/dev/null");
        if (devNull.exists()) {
            // No pipe to this JVM: a detached child must not depend on it, and none reads stdin.
            builder.redirectInput(ProcessBuilder.Redirect.from(devNull));
        }
        try {
            Files.writeString(logFile, System.lineSeparator() + START_MARKER + name + " at "
                    + Instant.now() + " =====" + System.lineSeparator(), StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            Process process = builder.start();
            NodeProcess node = new NodeProcess(name, dataDir, logFile, process, lifecycle);
            if (lifecycle == Lifecycle.ATTACHED) {
                node.installShutdownHook();
            }
            return node;
        } catch (IOException e) {
            throw new LocalInfrastructureException("cannot start " + name + " (" + commandLine.get(0) + "): "
                    + e.getMessage(), e);
        }
    }

    /**
     * Runs a short-lived tool of the server's distribution (Kafka's storage formatter) to completion,
     * its output appended to the node's log file.
     */
    static void runTool(String what, Path dataDir, Path logFile, Command command, Duration timeout) {
        ProcessBuilder builder = new ProcessBuilder(javaCommand(what, dataDir, command))
                .directory(dataDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        try {
            Process process = builder.start();
            process.getOutputStream().close();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new LocalInfrastructureException(what + " did not finish within " + timeout + ". Last lines of "
                        + logFile + ":" + System.lineSeparator() + logTail(logFile));
            }
            if (process.exitValue() != 0) {
                throw new LocalInfrastructureException(what + " failed with exit code " + process.exitValue()
                        + ". Last lines of " + logFile + ":" + System.lineSeparator() + logTail(logFile));
            }
        } catch (IOException e) {
            throw new LocalInfrastructureException("cannot run " + what + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LocalInfrastructureException("interrupted while running " + what, e);
        }
    }

    private static List<String> javaCommand(String name, Path dataDir, Command command) {
        List<String> line = new ArrayList<>();
        line.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        line.addAll(command.jvmOptions());
        // Lets a person find the node with ps; the long classpath goes into an argument file so
        // that ps output stays readable.
        line.add("-Dverdant.node=" + name);
        line.add("@" + writeClasspathArgumentFile(dataDir, command.classpath()));
        line.add(command.mainClass());
        line.addAll(command.arguments());
        return line;
    }

    private static Path writeClasspathArgumentFile(Path dataDir, ServerClasspath classpath) {
        Path file = dataDir.resolve("classpath.args");
        // Java argument files: whitespace separates arguments; inside quotes, backslash escapes.
        String quoted = "\"" + classpath.classpath().replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
        try {
            Files.writeString(file, "-cp " + quoted + System.lineSeparator(), StandardCharsets.UTF_8);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /**
     * Waits until {@code probe} says yes. Fails at once when the child exits, and after
     * {@code timeout} otherwise; both failures carry the tail of the node's log.
     */
    void awaitReady(Duration timeout, Probe probe) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pauseMillis = 50;
        Exception lastProblem = null;
        while (true) {
            if (!process.isAlive()) {
                throw new LocalInfrastructureException(name + " exited with code " + process.exitValue()
                        + " while starting. Last lines of " + logFile + ":" + System.lineSeparator() + logTail(logFile));
            }
            try {
                if (probe.ready()) {
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stop(DEFAULT_STOP_GRACE);
                throw new LocalInfrastructureException("interrupted while waiting for " + name, e);
            } catch (Exception e) {
                lastProblem = e;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new LocalInfrastructureException(name + " (pid " + pid() + ") was not ready within " + timeout
                        + (lastProblem == null ? "" : " (last check: " + lastProblem + ")") + ". Last lines of "
                        + logFile + ":" + System.lineSeparator() + logTail(logFile));
            }
            try {
                Thread.sleep(pauseMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stop(DEFAULT_STOP_GRACE);
                throw new LocalInfrastructureException("interrupted while waiting for " + name, e);
            }
            pauseMillis = Math.min(pauseMillis * 2, 250);
        }
    }

    /** Records the running node in its data directory, for {@link LocalInfrastructure#status}. */
    void writeRecord(Map<String, String> endpoint) {
        new NodeRecord(name, id, lifecycle, ProcessId.current(), logFile, endpoint).write(dataDir);
    }

    long pid() {
        return id.pid();
    }

    Path logFile() {
        return logFile;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Graceful stop (SIGTERM), forcible after {@code grace}; removes the state file. */
    void stop(Duration grace) {
        Thread hook = shutdownHook;
        if (hook != null && hook != Thread.currentThread()) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shutdownInProgress) {
                // The hook runs or will run; stopping twice is harmless.
            }
        }
        shutdownHook = null;
        terminate(process.toHandle(), name, grace);
        NodeRecord.delete(dataDir, name);
    }

    private void installShutdownHook() {
        Thread hook = new Thread(() -> {
            terminate(process.toHandle(), name, DEFAULT_STOP_GRACE);
            NodeRecord.delete(dataDir, name);
        }, "verdant-stop-" + name);
        shutdownHook = hook;
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /**
     * SIGTERM first: Kafka then closes its logs cleanly (no recovery on the next start) and Jetty
     * its connector. SIGKILL when that takes longer than {@code grace}.
     *
     * @return whether the process was running
     */
    static boolean terminate(ProcessHandle handle, String name, Duration grace) {
        if (!isRunning(handle)) {
            return false;
        }
        handle.destroy();
        if (awaitExit(handle, grace)) {
            return true;
        }
        LOG.log(Level.WARNING, () -> name + " (pid " + handle.pid() + ") did not stop within " + grace
                + "; killing it");
        handle.destroyForcibly();
        if (!awaitExit(handle, KILL_WAIT)) {
            throw new LocalInfrastructureException(name + " (pid " + handle.pid() + ") survived SIGKILL for " + KILL_WAIT);
        }
        return true;
    }

    /**
     * Whether the process still runs. A zombie does not: it has exited and waits for its parent to
     * collect it. A detached node's parent is PID 1, which in a container may be slow to do that, or
     * never do it, while {@link ProcessHandle#isAlive()} still says yes.
     */
    static boolean isRunning(ProcessHandle handle) {
        return handle.isAlive() && !isZombie(handle.pid());
    }

    private static boolean isZombie(long pid) {
        Path stat = Path.of("/proc", Long.toString(pid), "stat");
        try {
            // "pid (command) STATE ...": the command may contain spaces and parentheses.
            String line = Files.readString(stat);
            int end = line.lastIndexOf(')');
            return end > 0 && end + 2 < line.length() && line.charAt(end + 2) == 'Z';
        } catch (IOException | RuntimeException e) {
            return false; // no /proc (not Linux), or the process is gone: isAlive() decides
        }
    }

    /** Polls rather than onExit(): for a process that is not our child, onExit only notices it once reaped. */
    private static boolean awaitExit(ProcessHandle handle, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (isRunning(handle)) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            try {
                Thread.sleep(25);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return !isRunning(handle);
            }
        }
        return true;
    }

    /** The last lines of a log file, for error messages; never fails. */
    static String logTail(Path logFile) {
        try (RandomAccessFile file = new RandomAccessFile(logFile.toFile(), "r")) {
            long length = file.length();
            int window = (int) Math.min(length, 16 * 1024);
            byte[] bytes = new byte[window];
            file.seek(length - window);
            file.readFully(bytes);
            String[] lines = new String(bytes, StandardCharsets.UTF_8).split("\\R");
            int from = Math.max(0, lines.length - LOG_TAIL_LINES);
            for (int i = lines.length - 1; i >= from; i--) {
                if (lines[i].startsWith(START_MARKER)) { // earlier starts are not this failure's story
                    from = i;
                    break;
                }
            }
            StringBuilder tail = new StringBuilder();
            for (int i = from; i < lines.length; i++) {
                tail.append("    ").append(lines[i]).append(System.lineSeparator());
            }
            return tail.toString();
        } catch (IOException e) {
            return "    (log not readable: " + e.getMessage() + ")" + System.lineSeparator();
        }
    }

    /** Whether this start failed because a port was taken between picking and binding it. */
    static boolean failedToBind(Path logFile) {
        String tail = logTail(logFile);
        return tail.contains("Address already in use") || tail.contains("BindException");
    }
}
