package dev.verdant.e2e;

import dev.verdant.cli.VerdantCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs {@code verdant} commands in this JVM exactly as ./verdant would (same entry point, same
 * arguments), against one workspace. The services it starts are separate processes either way.
 */
final class Cli {
    private static final Pattern RUN_ID = Pattern.compile("run id: (run-[0-9a-f]+)");

    private final Path workspace;

    Cli(Path workspace) {
        this.workspace = workspace;
    }

    Path workspace() {
        return workspace;
    }

    record Result(List<String> args, int exitCode, String out, String err, double seconds) {

        /** The run id submit printed, or null when it printed none (e.g. an invalid recipe). */
        String runId() {
            Matcher m = RUN_ID.matcher(out);
            return m.find() ? m.group(1) : null;
        }

        String describe() {
            return "verdant " + String.join(" ", args) + " -> exit " + exitCode + "\n--- out:\n" + out + "--- err:\n"
                    + err;
        }
    }

    Result run(String... args) {
        List<String> all = new ArrayList<>(List.of("--workspace", workspace.toString()));
        all.addAll(List.of(args));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        long t0 = System.nanoTime();
        int rc;
        try (PrintWriter o = new PrintWriter(out, true); PrintWriter e = new PrintWriter(err, true)) {
            rc = VerdantCli.run(all.toArray(String[]::new), o, e);
        }
        Result result = new Result(List.of(args), rc, out.toString(), err.toString(), (System.nanoTime() - t0) / 1e9);
        System.out.printf("$ verdant %s   (exit %d, %.1f s)%n%s%s", String.join(" ", args), rc, result.seconds(),
                indent(result.out()), indent(result.err()));
        return result;
    }

    private static String indent(String text) {
        if (text.isEmpty()) {
            return "";
        }
        return text.lines().map(l -> "    " + l).reduce("", (a, b) -> a + b + "\n");
    }
}
