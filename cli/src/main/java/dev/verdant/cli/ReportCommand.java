package dev.verdant.cli;

import dev.verdant.events.BucketLayout;
import dev.verdant.events.EventJson;
import dev.verdant.events.RunReported;
import dev.verdant.store.ArtifactStore;
import dev.verdant.store.S3Settings;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * A run's verdict, as the carbon accounting service left it in the bucket: runs/&lt;runId&gt;/report.json
 * printed as a table with the recommendation and the payback, and report.html written locally.
 */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = {"Print a run's verdict (every model, the Pareto front, the recommendation, the payback) and"
                + " write its HTML report locally.", "Reads runs/RUN_ID/report.json and report.html from the bucket."})
final class ReportCommand implements Callable<Integer> {
    private static final Pattern RUN_ID = Pattern.compile("run-[0-9a-f]{20}");
    /** A report is a few kilobytes; anything this big is not one. */
    private static final long MAX_BYTES = 16L * 1024 * 1024;

    @ParentCommand
    VerdantCli cli;

    @Parameters(index = "0", paramLabel = "RUN_ID", description = "the run (run- and 20 hex digits, as submit and watch print it)")
    String runId;

    @Option(names = "--out", paramLabel = "FILE.html", description = "where to write the HTML report (default: report-RUN_ID.html)")
    Path out;

    /** Where the report files are read from: the bucket, or anything else in tests. */
    interface Source {
        Optional<byte[]> get(String key);

        String describe(String key);
    }

    @Override
    public Integer call() throws IOException {
        requireRunId(runId);
        Endpoints endpoints = Endpoints.load(cli.workspace());
        try (ArtifactStore store = new ArtifactStore(new S3Settings(endpoints.s3Endpoint(), endpoints.accessKey(),
                endpoints.secretKey(), endpoints.bucket(), "us-east-1"))) {
            Source source = new Source() {
                @Override
                public Optional<byte[]> get(String key) {
                    return store.exists(key) ? Optional.of(store.getBytes(key, MAX_BYTES)) : Optional.empty();
                }

                @Override
                public String describe(String key) {
                    return "s3://" + endpoints.bucket() + "/" + key;
                }
            };
            return show(source, runId, out, cli.out());
        }
    }

    static void requireRunId(String runId) {
        if (runId == null || !RUN_ID.matcher(runId).matches()) {
            throw new CliException("'" + EventLines.safe(String.valueOf(runId)) + "' is not a run id: a run id is"
                    + " run- and 20 hex digits (e.g. run-0a25de7515f1ebda49f5), as ./verdant submit and watch print it");
        }
    }

    /** Prints the verdict and writes the HTML; exit code 0. */
    static int show(Source source, String runId, Path out, PrintWriter w) throws IOException {
        requireRunId(runId);
        String jsonKey = BucketLayout.reportJsonKey(runId);
        byte[] json = source.get(jsonKey).orElseThrow(() -> new CliException("no report for " + runId + " yet: "
                + source.describe(jsonKey) + " does not exist. The carbon service writes it once every planned"
                + " variant is evaluated or failed, or when the run times out; follow the run with"
                + " ./verdant watch --run " + runId));
        RunReported report;
        try {
            report = EventJson.fromBytes(json, RunReported.class);
        } catch (RuntimeException e) {
            throw new CliException(source.describe(jsonKey) + " is not a run report: " + e.getMessage());
        }
        print(report, w);
        String htmlKey = report.reportKeys() == null ? BucketLayout.reportHtmlKey(runId) : report.reportKeys().html();
        byte[] html = source.get(htmlKey).orElseThrow(() -> new CliException("the report's HTML is missing: "
                + source.describe(htmlKey) + " does not exist (report.json does)"));
        Path target = (out != null ? out : Path.of("report-" + runId + ".html")).toAbsolutePath().normalize();
        if (target.getParent() != null) {
            Files.createDirectories(target.getParent());
        }
        Files.write(target, html);
        w.printf("HTML report: %s%n", target);
        return 0;
    }

    /** The verdict as text: a table, the recommendation and payback, the footprint, what is missing, notes. */
    static void print(RunReported r, PrintWriter w) {
        w.printf(Locale.ROOT, "run %s: %s, %d model(s) evaluated, quality budget %.2f points%n", EventLines.safe(r.runId()),
                r.status().wireName(), r.variants().size(), r.qualityBudget());
        if (r.context() != null) {
            w.printf(Locale.ROOT, "priced for %s at %.1f gCO2e/kWh (%s), PUE %.2f, %.0f inferences/day%n",
                    EventLines.safe(r.context().region()), r.context().carbonIntensityGPerKwh(),
                    EventLines.safe(r.context().intensitySource()), r.context().pue(), r.context().inferencesPerDay());
        }
        w.println();
        String format = "%-2s %-20s %-10s %9s %8s %8s %9s %9s %10s %11s %11s %6s%n";
        w.printf(Locale.ROOT, format, "", "model", "technique", "size MB", "quality", "delta", "p50 b1", "p50 b32",
                "J/1k", "gCO2e/1k", "SCI g/1k", "budget");
        String recommended = r.recommendation() == null ? null : r.recommendation().variantId();
        for (RunReported.Row row : r.variants()) {
            String mark = (row.variantId().equals(recommended) ? ">" : " ")
                    + (r.paretoFront().contains(row.variantId()) ? "*" : " ");
            w.printf(Locale.ROOT, format, mark, EventLines.safe(row.variantId()), row.technique().wireName(),
                    String.format(Locale.ROOT, "%.2f", row.sizeBytes() / 1e6),
                    String.format(Locale.ROOT, "%.2f", row.quality()),
                    row.qualityLoss() == null ? "?" : String.format(Locale.ROOT, "%+.2f", 0.0 - row.qualityLoss() + 0.0),
                    row.latencyBatch1P50Ms() == null ? "" : String.format(Locale.ROOT, "%.2f", row.latencyBatch1P50Ms()),
                    String.format(Locale.ROOT, "%.2f", row.latencyBatch32P50Ms()),
                    String.format(Locale.ROOT, "%.2f", row.energyJoulesPer1k()),
                    String.format(Locale.ROOT, "%.3g", row.emissionsGPer1k()),
                    row.sciGPer1k() == null ? "" : String.format(Locale.ROOT, "%.3g", row.sciGPer1k()),
                    row.withinBudget() == null ? "?" : row.withinBudget() ? "yes" : "no");
        }
        w.println("(> recommended, * on the Pareto front of quality, gCO2e/1k and batch-32 latency)");
        w.println();
        if (r.recommendation() == null) {
            w.println("recommendation: none");
        } else {
            w.printf("recommendation: %s: %s%n", EventLines.safe(r.recommendation().variantId()),
                    EventLines.safe(r.recommendation().reason()));
            if (r.recommendation().paybackDays() != null && r.recommendation().yearlyEmissionsSavedKg() != null) {
                w.printf(Locale.ROOT, "payback: the run's footprint is paid back after %.3g days of the expected"
                        + " traffic, then %.3g kg CO2e saved a year%n", r.recommendation().paybackDays(),
                        r.recommendation().yearlyEmissionsSavedKg());
            }
        }
        w.printf(Locale.ROOT, "footprint of the run: %.3g kWh, %.3g gCO2e%n", r.footprint().energyKwh(),
                r.footprint().emissionsG());
        for (RunReported.Missing m : r.missing()) {
            w.printf("missing %s: %s%n", EventLines.safe(m.variantId()), EventLines.safe(m.why()));
        }
        for (String note : r.notes()) {
            w.printf("note: %s%n", EventLines.safe(note));
        }
    }
}
