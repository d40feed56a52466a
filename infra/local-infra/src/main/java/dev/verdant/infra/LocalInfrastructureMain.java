package dev.verdant.infra;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * {@code up | down | status} for the local infrastructure, runnable on its own:
 * <pre>
 * java -cp target/classes:$(cat target/local-infra.classpath) dev.verdant.infra.LocalInfrastructureMain up
 * </pre>
 * {@code up} starts both nodes detached and returns; they run until {@code down}. The endpoints are
 * printed as the configuration keys the services read.
 */
public final class LocalInfrastructureMain {

    static final Path DEFAULT_STATE_DIR = Path.of(".verdant", "infra");
    private static final int EXIT_USAGE = 2;
    /** As LSB init scripts say "not running". */
    private static final int EXIT_NOT_RUNNING = 3;

    private LocalInfrastructureMain() {
    }

    public static void main(String[] args) {
        System.exit(run(List.of(args), System.out, System.err));
    }

    static int run(List<String> args, PrintStream out, PrintStream err) {
        Deque<String> rest = new ArrayDeque<>(args);
        if (rest.isEmpty()) {
            return usage(err, "no command");
        }
        String command = rest.removeFirst();
        Path stateDir = DEFAULT_STATE_DIR;
        LocalInfrastructure.Options options = LocalInfrastructure.Options.defaults();
        try {
            while (!rest.isEmpty()) {
                String option = rest.removeFirst();
                switch (option) {
                    case "--state-dir" -> stateDir = Path.of(value(rest, option));
                    case "--kafka-port" -> options = options.withKafka(options.kafka().withPort(port(rest, option)));
                    case "--kafka-controller-port" ->
                            options = options.withKafka(options.kafka().withControllerPort(port(rest, option)));
                    case "--s3-port" -> options = options.withS3(options.s3().withPort(port(rest, option)));
                    case "--clean" -> options = options.withCleanStart(true);
                    default -> {
                        return usage(err, "unknown option " + option);
                    }
                }
            }
        } catch (IllegalArgumentException e) {
            return usage(err, e.getMessage());
        }
        try {
            switch (command) {
                case "up" -> {
                    InfraStatus status = LocalInfrastructure.startDetached(stateDir, options);
                    print(status, out);
                    return 0;
                }
                case "down" -> {
                    boolean stopped = LocalInfrastructure.stopDetached(stateDir);
                    out.println(stopped ? "stopped (data and logs kept in " + stateDir.toAbsolutePath() + ")"
                            : "nothing was running in " + stateDir.toAbsolutePath());
                    return 0;
                }
                case "status" -> {
                    InfraStatus status = LocalInfrastructure.status(stateDir);
                    print(status, out);
                    return status.running() ? 0 : EXIT_NOT_RUNNING;
                }
                default -> {
                    return usage(err, "unknown command " + command);
                }
            }
        } catch (LocalInfrastructureException e) {
            err.println(command + " failed: " + e.getMessage());
            return 1;
        }
    }

    private static void print(InfraStatus status, PrintStream out) {
        out.println(status.kafka());
        out.println(status.s3());
        status.endpoints().ifPresent(endpoints -> {
            out.println("kafka.bootstrap.servers=" + endpoints.kafkaBootstrapServers());
            out.println("verdant.s3.endpoint=" + endpoints.s3Endpoint());
            out.println("verdant.s3.access-key=" + endpoints.accessKey());
            out.println("verdant.s3.secret-key=" + endpoints.secretKey());
        });
    }

    private static String value(Deque<String> rest, String option) {
        if (rest.isEmpty()) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return rest.removeFirst();
    }

    private static int port(Deque<String> rest, String option) {
        String value = value(rest, option);
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " needs a port number, got " + value);
        }
    }

    private static int usage(PrintStream err, String problem) {
        err.println(problem);
        err.println("usage: LocalInfrastructureMain up|down|status [--state-dir DIR (default .verdant/infra)]");
        err.println("       [--kafka-port N] [--kafka-controller-port N] [--s3-port N] [--clean]   (up only; 0 = free port)");
        return EXIT_USAGE;
    }
}
