package dev.verdant.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.verdant.events.BucketLayout;
import dev.verdant.events.RunReported;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** verdant report on the golden example of schemas/ (run-reported.json), from a map standing in for the bucket. */
class ReportCommandTest {
    private static final String RUN = "run-0a25de7515f1ebda49f5";

    @TempDir
    Path dir;

    private static byte[] example() throws IOException {
        try (InputStream in = ReportCommandTest.class.getClassLoader()
                .getResourceAsStream("schemas/examples/run-reported.json")) {
            return in.readAllBytes();
        }
    }

    private static ReportCommand.Source source(Map<String, byte[]> objects) {
        return new ReportCommand.Source() {
            @Override
            public Optional<byte[]> get(String key) {
                return Optional.ofNullable(objects.get(key));
            }

            @Override
            public String describe(String key) {
                return "s3://test/" + key;
            }
        };
    }

    @Test
    void printsTheVerdictAndWritesTheHtml() throws IOException {
        Map<String, byte[]> bucket = new HashMap<>();
        bucket.put(BucketLayout.reportJsonKey(RUN), example());
        bucket.put(BucketLayout.reportHtmlKey(RUN), "<!DOCTYPE html><svg id=\"pareto\"/>".getBytes(StandardCharsets.UTF_8));
        StringWriter text = new StringWriter();
        Path out = dir.resolve("sub/r.html");
        assertThat(ReportCommand.show(source(bucket), RUN, out, new PrintWriter(text, true))).isZero();
        String printed = text.toString();
        assertThat(printed).contains("run " + RUN + ": partial, 2 model(s)")
                .contains("priced for FRA at 56.0 gCO2e/kWh")
                .containsPattern("original\\s+original\\s+90\\.39\\s+82\\.03\\s+\\+0\\.00")
                .containsPattern(">\\* int8-dynamic\\s+quantize\\s+22\\.97\\s+81\\.87\\s+-0\\.16")
                .contains("recommendation: int8-dynamic: lowest gCO2e per 1,000 inferences")
                .contains("paid back after 2.67 days").contains("then 0.0944 kg CO2e saved a year")
                .contains("missing low-rank: failed to make: NO_RANK_SAVING")
                .contains("note: energy per 1,000 inferences is an estimate")
                .contains("HTML report: " + out.toAbsolutePath());
        assertThat(Files.readString(out)).contains("<svg id=\"pareto\"/>");
    }

    @Test
    void aRunWithoutAReportYetSaysWhatToDo() {
        assertThatThrownBy(() -> ReportCommand.show(source(Map.of()), RUN, dir.resolve("x.html"),
                new PrintWriter(new StringWriter())))
                .isInstanceOf(CliException.class)
                .hasMessageContaining("no report for " + RUN + " yet")
                .hasMessageContaining("s3://test/runs/" + RUN + "/report.json")
                .hasMessageContaining("./verdant watch --run " + RUN);
    }

    @Test
    void aCorruptReportIsNamed() {
        Map<String, byte[]> bucket = Map.of(BucketLayout.reportJsonKey(RUN), "{not json".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> ReportCommand.show(source(bucket), RUN, null, new PrintWriter(new StringWriter())))
                .isInstanceOf(CliException.class).hasMessageContaining("is not a run report");
    }

    @Test
    void theCommandRejectsSomethingThatIsNotARunIdBeforeConnecting() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = VerdantCli.run(new String[] {"--workspace", dir.toString(), "report", "../etc/passwd"},
                new PrintWriter(out, true), new PrintWriter(err, true));
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("is not a run id").contains("run-0a25de7515f1ebda49f5");
    }

    @Test
    void withoutARunningVerdantItSaysHowToStartOne() {
        StringWriter err = new StringWriter();
        int code = VerdantCli.run(new String[] {"--workspace", dir.toString(), "report", RUN},
                new PrintWriter(new StringWriter(), true), new PrintWriter(err, true));
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("./verdant up");
    }

    @Test
    void theReportParsesIntoTheEvent() throws IOException {
        assertThat(dev.verdant.events.EventJson.fromBytes(example(), RunReported.class).variants()).hasSize(2);
    }
}
