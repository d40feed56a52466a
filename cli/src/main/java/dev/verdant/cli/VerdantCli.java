package dev.verdant.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The verdant command line. Started by ./verdant at the repository root. */
@Command(name = "verdant", mixinStandardHelpOptions = true, version = "verdant 0.1.0-SNAPSHOT",
        description = "Make transformer models cheaper and greener to run, and prove it with numbers.",
        subcommands = {UpCommand.class, DownCommand.class, StatusCommand.class, SubmitCommand.class,
                WatchCommand.class, DemoCommand.class, CarbonCommand.class, ReportCommand.class, EvaluateCommand.class, QuantizeCommand.class, PruneCommand.class, DistillCommand.class, BenchCommand.class, CommandLine.HelpCommand.class})
public final class VerdantCli {

    @Option(names = "--workspace", paramLabel = "DIR", scope = CommandLine.ScopeType.INHERIT,
            description = "where verdant up keeps state, data and logs (default: $VERDANT_WORKSPACE or ./.verdant)")
    Path workspace;

    private PrintWriter out;
    private PrintWriter err;

    Path workspace() {
        if (workspace != null) {
            return workspace.toAbsolutePath().normalize();
        }
        String env = System.getenv("VERDANT_WORKSPACE");
        return Path.of(env != null && !env.isBlank() ? env : ".verdant").toAbsolutePath().normalize();
    }

    /** The repository root: where the services' build outputs are. */
    Path home() {
        String home = System.getProperty("verdant.home", System.getenv().getOrDefault("VERDANT_HOME", "."));
        return Path.of(home).toAbsolutePath().normalize();
    }

    PrintWriter out() {
        return out;
    }

    PrintWriter err() {
        return err;
    }

    public static void main(String[] args) {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        // One line per log record, like the services' logs.
        System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tT %4$s %5$s%6$s%n");
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs one command line; what {@code main} does, without exiting (for tests and embedding). */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        VerdantCli cli = new VerdantCli();
        cli.out = out;
        cli.err = err;
        CommandLine commandLine = new CommandLine(cli);
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof CliException) {
                err.println("verdant: " + e.getMessage());
                return 2;
            }
            err.println("verdant: " + e);
            e.printStackTrace(err);
            return 1;
        });
        return commandLine.execute(args);
    }
}
