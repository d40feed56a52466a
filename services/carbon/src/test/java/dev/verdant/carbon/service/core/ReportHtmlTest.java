package dev.verdant.carbon.service.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.verdant.events.EnergySource;
import dev.verdant.events.RunReported;
import dev.verdant.events.Technique;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

/** The page parses as XML, has the chart and the table, escapes what came from events, and fetches nothing. */
class ReportHtmlTest {

    static RunReported sample(String hostileId) {
        String runId = "run-0123456789abcdef0123";
        List<RunReported.Row> rows = List.of(
                new RunReported.Row("original", Technique.ORIGINAL, null, null, 90_000_000, 22_700_000, 82.0, 0.0, null,
                        6.0, 41.0, 60.0, EnergySource.ESTIMATED_TDP, 0.0070, 0.0072, true),
                new RunReported.Row("int8-dynamic", Technique.QUANTIZE, "original", Map.of("mode", "dynamic-int8"),
                        23_000_000, 22_700_000, 81.8, 0.2, 0.993, 4.0, 26.0, 45.0, EnergySource.ESTIMATED_TDP, 0.0053,
                        0.0055, true),
                new RunReported.Row(hostileId, Technique.PRUNE, "original", Map.of("note", "<b>&'\""), 60_000_000,
                        15_000_000, 70.0, 12.0, 0.80, 5.0, 30.0, 50.0, EnergySource.ESTIMATED_DEFAULT, 0.0060, 0.0062,
                        false));
        return new RunReported(runId, Facts.SHA, RunReported.Status.PARTIAL, rows,
                ParetoFront.of(rows), new RunReported.Recommendation("int8-dynamic", "lowest <gCO2e> & fine", 2.5, 0.4),
                1.0, new RunReported.Footprint(0.001, 0.4),
                List.of(new RunReported.Missing("low-rank", "failed to make: <NO_RANK_SAVING>")),
                new RunReported.Context("FRA", 44.2, "codecarbon", 1.1, 1e6, "1000 kg over 1460 days"),
                List.of("a note with <script>alert(1)</script>"),
                new RunReported.ReportKeys("runs/" + runId + "/report.json", "runs/" + runId + "/report.html",
                        "runs/" + runId + "/emissions.csv"), Instant.parse("2026-11-28T12:00:00Z"));
    }

    private static Document parse(String html) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(false);
        return f.newDocumentBuilder().parse(new ByteArrayInputStream(html.getBytes(StandardCharsets.UTF_8)));
    }

    private static NodeList nodes(Document d, String xpath) throws Exception {
        return (NodeList) XPathFactory.newInstance().newXPath().evaluate(xpath, d, XPathConstants.NODESET);
    }

    @Test
    void chartTableAndVerdictAreThere() throws Exception {
        RunReported r = sample("ffn-<pruned>");
        Document d = parse(ReportHtml.render(r));
        assertThat(nodes(d, "//svg[@id='pareto']")).extracting(NodeList::getLength).isEqualTo(1);
        assertThat(nodes(d, "//svg//circle[contains(@class,'point')]").getLength()).isEqualTo(3);
        assertThat(nodes(d, "//svg//circle[@class='point front']").getLength()).isEqualTo(r.paretoFront().size());
        assertThat(nodes(d, "//svg//circle[@class='recommended']").getLength()).isEqualTo(1);
        assertThat(nodes(d, "//svg//polyline[@class='front']").getLength()).isEqualTo(1);
        assertThat(nodes(d, "//table[@id='variants']/tbody/tr").getLength()).isEqualTo(3);
        assertThat(nodes(d, "//table[@id='variants']/tbody/tr[@class='rec']/td").item(0).getTextContent())
                .isEqualTo("int8-dynamic");
        assertThat(nodes(d, "//*[@id='recommended']").item(0).getTextContent()).isEqualTo("int8-dynamic");
        assertThat(nodes(d, "//ul[@id='missing']/li").getLength()).isEqualTo(1);
    }

    @Test
    void everyStringFromAnEventIsEscaped() throws Exception {
        String html = ReportHtml.render(sample("x<script>alert('x')</script>"));
        assertThat(html).doesNotContain("<script").doesNotContain("<b>").doesNotContain("<NO_RANK")
                .contains("&lt;script&gt;");
        Document d = parse(html); // still well-formed
        assertThat(nodes(d, "//table[@id='variants']/tbody/tr").item(2).getFirstChild().getTextContent())
                .isEqualTo("x<script>alert('x')</script>");
        assertThat(nodes(d, "//script").getLength()).isZero();
    }

    /**
     * The page for the golden example schemas/examples/run-reported.json, written to
     * target/example-report.html for people to open (docs/carbon.md names this command).
     */
    @Test
    void theGoldenExampleRendersToAFileToOpen() throws Exception {
        RunReported example = Facts.example("run-reported.json", RunReported.class);
        String html = ReportHtml.render(example);
        java.nio.file.Path file = java.nio.file.Path.of("target", "example-report.html");
        java.nio.file.Files.createDirectories(file.getParent());
        java.nio.file.Files.writeString(file, html, StandardCharsets.UTF_8);
        Document d = parse(html);
        assertThat(nodes(d, "//svg//circle[contains(@class,'point')]").getLength()).isEqualTo(example.variants().size());
        assertThat(nodes(d, "//table[@id='variants']/tbody/tr").getLength()).isEqualTo(example.variants().size());
    }

    @Test
    void selfContained() {
        String html = ReportHtml.render(sample("v"));
        assertThat(html).doesNotContainIgnoringCase("<script").doesNotContain("src=").doesNotContain("href=")
                .doesNotContain("@import").doesNotContain("url(");
        assertThat(html.replace("http://www.w3.org/2000/svg", "")).doesNotContain("http");
    }

    @Test
    void paretoFrontKeepsOnlyUndominatedRows() {
        RunReported r = sample("worse");
        // "worse": lower quality than int8 and more gCO2e and latency than int8: dominated.
        assertThat(r.paretoFront()).containsExactly("original", "int8-dynamic");
    }
}
