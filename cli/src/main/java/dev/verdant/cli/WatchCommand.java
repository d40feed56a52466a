package dev.verdant.cli;

import dev.verdant.events.CloudEventCodec;
import dev.verdant.events.EventJson;
import dev.verdant.events.EventType;
import dev.verdant.events.Topics;
import dev.verdant.events.VerdantEvent;
import dev.verdant.events.kafka.EventReader;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** Follows Verdant's topics and prints each event as it comes (an observer: see {@link EventReader}). */
@Command(name = "watch", description = "Follow the pipeline's events as they come (readable lines, or --json).")
final class WatchCommand implements Callable<Integer> {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    @ParentCommand
    VerdantCli cli;

    @Option(names = "--json", description = "one JSON object per line: {topic, type, id, time, runId, event}")
    boolean json;

    @Option(names = "--from-beginning", description = "replay every event kept on the topics, then follow")
    boolean fromBeginning;

    @Option(names = "--run", paramLabel = "RUN_ID", description = "only events of this run")
    String runId;

    @Option(names = "--until", paramLabel = "TYPE", split = ",", description = "stop after the first event of one of"
            + " these types (e.g. model.ingested,model.rejected or run.reported)")
    List<String> until;

    @Option(names = "--timeout", paramLabel = "DURATION", description = "stop after this long, e.g. 30s, 5m (exit code 3 when --until was not met)")
    String timeout;

    @Option(names = "--progress", paramLabel = "WHEN", description = "with --run: progress bars per stage below the"
            + " event lines: auto (when the output is a terminal), always, never (default auto)")
    String progress = "auto";

    /** The --until event that ended the watch, when one did (for callers such as demo). */
    VerdantEvent ended;

    /** The bars of the watched run, or null when not drawn. */
    private ProgressBars bars;

    @Override
    public Integer call() {
        Endpoints endpoints = Endpoints.load(cli.workspace());
        Instant deadline = timeout == null ? Instant.MAX : Instant.now().plus(parseDuration(timeout));
        bars = drawsProgress() ? new ProgressBars(cli.out()) : null;
        try (EventReader reader = EventReader.open(endpoints.kafkaBootstrapServers(), Topics.ALL, fromBeginning)) {
            if (!json) {
                cli.err().println("watching " + reader.partitions() + " partitions of " + Topics.ALL.size()
                        + " topics on " + endpoints.kafkaBootstrapServers() + " (Ctrl-C to stop)");
            }
            while (Instant.now().isBefore(deadline)) {
                for (EventReader.Received record : reader.poll(Duration.ofMillis(300))) {
                    if (print(record)) {
                        return 0;
                    }
                }
                if (bars != null) {
                    bars.tick(Instant.now());
                }
            }
        }
        return until == null ? 0 : 3;
    }

    private boolean drawsProgress() {
        return switch (progress.toLowerCase(java.util.Locale.ROOT)) {
            case "always" -> runId != null && !json;
            case "never" -> false;
            case "auto" -> runId != null && !json && System.console() != null
                    && !"dumb".equals(System.getenv("TERM"));
            default -> throw new CliException("--progress is auto, always or never, not '" + progress + "'");
        };
    }

    /** @return true when the --until event was printed */
    private boolean print(EventReader.Received record) {
        String time = LocalTime.ofInstant(record.timestamp(), ZoneId.systemDefault()).format(TIME);
        CloudEventCodec.Decoded decoded = record.decoded();
        if (decoded != null) {
            if (runId != null && !runId.equals(decoded.event().runId())) {
                return false;
            }
            if (bars != null) {
                bars.erase();
                bars.accept(decoded.event(), record.timestamp());
            }
            if (json) {
                cli.out().println(EventJson.toJson(new JsonLine(record.topic(), record.key(), decoded.type().ceType(),
                        decoded.id(), decoded.time(), decoded.event().runId(), decoded.event(), null)));
            } else {
                cli.out().println(time + " " + EventLines.describe(decoded.event()));
            }
            if (bars != null) {
                bars.draw(Instant.now());
            }
            cli.out().flush();
            if (until != null && matches(decoded.type())) {
                ended = decoded.event();
                return true;
            }
            return false;
        }
        if (runId == null && json) {
            String error = record.topic().equals(Topics.DEAD_LETTER) ? record.header("dead-letter-reason")
                    : record.topic().equals(Topics.BUCKET_NOTIFICATIONS) ? null : record.error();
            cli.out().println(EventJson.toJson(new JsonLine(record.topic(), record.key(), null, null, null, null,
                    null, error)));
        } else if (runId == null) {
            String what = switch (record.topic()) {
                case Topics.DEAD_LETTER -> "DEAD LETTER: " + EventLines.safe(record.header("dead-letter-reason"));
                case Topics.BUCKET_NOTIFICATIONS -> "bucket notification";
                default -> "unreadable record: " + EventLines.safe(record.error());
            };
            cli.out().println(time + " " + what + " (" + record.topic() + ")");
        }
        return false;
    }

    /**
     * One line of {@code --json} output. Absent fields are left out: records that are not Verdant
     * events (bucket notifications, dead letters) have a topic, a key and, for failures, an error.
     */
    record JsonLine(String topic, String key, String type, String id, Instant time, String runId,
            dev.verdant.events.VerdantEvent event, String error) {
    }

    private boolean matches(EventType type) {
        return until.stream().anyMatch(u -> type.ceType().equals(u) || type.ceType().equals("dev.verdant." + u + ".v1"));
    }

    static Duration parseDuration(String text) {
        String t = text.trim().toLowerCase(java.util.Locale.ROOT);
        try {
            if (t.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
            }
            long n = Long.parseLong(t.substring(0, t.length() - 1));
            return switch (t.charAt(t.length() - 1)) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                default -> throw new NumberFormatException();
            };
        } catch (RuntimeException e) {
            throw new CliException("cannot read the duration '" + text + "': write e.g. 500ms, 30s, 5m or 1h");
        }
    }
}
