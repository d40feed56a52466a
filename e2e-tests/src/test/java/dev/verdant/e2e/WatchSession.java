package dev.verdant.e2e;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.verdant.events.EventJson;
import java.io.Writer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * {@code verdant watch --json ...} running in a background thread, as a user would keep it open
 * in a second terminal. Every line it prints is kept with the moment it was printed, so a test
 * can wait for an event and measure when the user would have seen it.
 */
final class WatchSession implements AutoCloseable {

    /** One line of watch output; {@code json} is null for a line that is not JSON. */
    record Line(Instant printedAt, String text, JsonNode json) {

        String type() {
            return json == null ? null : json.path("type").asText(null);
        }

        String runId() {
            return json == null || json.path("runId").isNull() ? null : json.path("runId").asText(null);
        }

        JsonNode event() {
            return json == null ? null : json.get("event");
        }

        /** The upload key the event is about (ingested, rejected and upload.detected carry one). */
        String uploadKey() {
            JsonNode event = event();
            return event == null ? null : event.path("upload").path("key").asText(null);
        }

        <T> T as(Class<T> type) {
            try {
                return EventJson.mapper().treeToValue(event(), type);
            } catch (JsonProcessingException e) {
                throw new AssertionError("watch printed a " + type.getSimpleName() + " that does not read back: "
                        + text, e);
            }
        }
    }

    private final List<Line> lines = new CopyOnWriteArrayList<>();
    private final Object arrived = new Object();
    private final LineWriter out = new LineWriter();
    private final LineWriter err = new LineWriter();
    private final Thread thread;
    private final String[] args;
    private volatile Integer exitCode;

    private WatchSession(Cli cli, String... args) {
        this.args = args;
        this.thread = new Thread(() -> {
            try (var o = new java.io.PrintWriter(out, true); var e = new java.io.PrintWriter(err, true)) {
                exitCode = dev.verdant.cli.VerdantCli.run(withWorkspace(cli, args), o, e);
            } finally {
                synchronized (arrived) {
                    arrived.notifyAll();
                }
            }
        }, "verdant-watch");
        thread.setDaemon(true);
    }

    /** Starts {@code verdant watch ARGS} in the background. */
    static WatchSession start(Cli cli, String... args) {
        WatchSession session = new WatchSession(cli, args);
        session.thread.start();
        return session;
    }

    private static String[] withWorkspace(Cli cli, String... args) {
        List<String> all = new ArrayList<>(List.of("--workspace", cli.workspace().toString(), "watch"));
        all.addAll(List.of(args));
        return all.toArray(String[]::new);
    }

    List<Line> lines() {
        return List.copyOf(lines);
    }

    List<Line> matching(Predicate<Line> match) {
        return lines.stream().filter(match).toList();
    }

    /** The first line that matches, waiting for it up to {@code timeout}. */
    Line await(String what, Predicate<Line> match, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        synchronized (arrived) {
            while (true) {
                Optional<Line> found = lines.stream().filter(match).findFirst();
                if (found.isPresent()) {
                    return found.get();
                }
                long left = Duration.between(Instant.now(), deadline).toMillis();
                if (left <= 0 || (exitCode != null)) {
                    throw new AssertionError("watch showed no " + what + " within " + timeout.toSeconds() + " s"
                            + (exitCode != null ? " (watch ended with exit code " + exitCode + ")" : "")
                            + "; it printed:\n" + String.join("\n", lines.stream().map(Line::text).toList())
                            + "\nand on stderr:\n" + err.text());
                }
                try {
                    arrived.wait(Math.min(left, 500));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted while waiting for " + what);
                }
            }
        }
    }

    /** Waits for the command to end by itself (--until or --timeout); null if it is still running. */
    Integer awaitExit(Duration timeout) {
        try {
            thread.join(timeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return exitCode;
    }

    String stderr() {
        return err.text();
    }

    String command() {
        return "verdant watch " + String.join(" ", args);
    }

    /** Like Ctrl-C in the user's terminal: interrupts the watch (its Kafka consumer then closes). */
    @Override
    public void close() {
        if (thread.isAlive()) {
            thread.interrupt();
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void add(String text) {
        JsonNode json = null;
        if (text.startsWith("{")) {
            try {
                json = EventJson.mapper().readTree(text);
            } catch (JsonProcessingException notJson) {
                // kept as plain text; a test that needs it as JSON will say so
            }
        }
        lines.add(new Line(Instant.now(), text, json));
        synchronized (arrived) {
            arrived.notifyAll();
        }
    }

    /** Splits what the command writes into lines; stdout lines become {@link Line}s. */
    private final class LineWriter extends Writer {
        private final StringBuilder pending = new StringBuilder();
        private final StringBuilder all = new StringBuilder();

        @Override
        public synchronized void write(char[] buffer, int offset, int length) {
            for (int i = offset; i < offset + length; i++) {
                char c = buffer[i];
                if (c == '\n') {
                    String line = pending.toString();
                    pending.setLength(0);
                    all.append(line).append('\n');
                    if (this == out) {
                        add(line.endsWith("\r") ? line.substring(0, line.length() - 1) : line);
                    }
                } else {
                    pending.append(c);
                }
            }
        }

        synchronized String text() {
            return all + pending.toString();
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }
}
