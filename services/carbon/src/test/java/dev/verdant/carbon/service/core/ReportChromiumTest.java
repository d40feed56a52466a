package dev.verdant.carbon.service.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Renders report.html in headless Chromium and reads back the DOM Chromium built: the SVG chart and
 * its points, and the table's rows, are there after a real browser parsed the page. Skipped, with the
 * reason, where no Chromium is installed (.ci/run installs Debian's when it runs as root).
 */
class ReportChromiumTest {

    static Optional<Path> chromium() {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String name : List.of("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")) {
            Optional<Path> found = Stream.of(path.split(File.pathSeparator)).map(dir -> Path.of(dir, name))
                    .filter(Files::isExecutable).findFirst();
            if (found.isPresent()) {
                return found;
            }
        }
        return Optional.empty();
    }

    @Test
    void chromiumRendersTheChartAndTheTable(@TempDir Path dir) throws Exception {
        Optional<Path> browser = chromium();
        assumeTrue(browser.isPresent(), "no chromium on the PATH: install it (apt-get install -y chromium) to run"
                + " the browser check of report.html");
        Path html = dir.resolve("report.html");
        Files.writeString(html, ReportHtml.render(ReportHtmlTest.sample("ffn-pruned")), StandardCharsets.UTF_8);
        Path out = dir.resolve("dom.html");
        Path shot = dir.resolve("report.png");
        Process p = new ProcessBuilder(browser.get().toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--user-data-dir=" + dir.resolve("profile"), "--dump-dom",
                html.toUri().toString()).redirectOutput(out.toFile()).redirectError(dir.resolve("err.txt").toFile())
                .start();
        assertThat(p.waitFor(90, TimeUnit.SECONDS)).as("chromium finished").isTrue();
        String dom = Files.readString(out);
        assertThat(p.exitValue()).as(Files.readString(dir.resolve("err.txt"))).isZero();
        // The DOM as Chromium serialises it: the SVG in the page, one circle per model, the table rows.
        assertThat(dom).contains("<svg id=\"pareto\"");
        assertThat(dom.split("class=\"point", -1)).hasSize(1 + 3);
        assertThat(dom).contains("class=\"recommended\"").contains("<polyline class=\"front\"");
        assertThat(dom).contains("<table id=\"variants\">");
        assertThat(dom.split("<td class=\"id\">", -1).length - 1).isEqualTo(3 * 3);
        assertThat(dom).contains("int8-dynamic (recommended)");

        // And a picture: the page paints to a non-empty PNG.
        Process s = new ProcessBuilder(browser.get().toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--user-data-dir=" + dir.resolve("profile2"), "--window-size=1200,1600",
                "--screenshot=" + shot, html.toUri().toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("shot.txt").toFile()).start();
        assertThat(s.waitFor(90, TimeUnit.SECONDS)).isTrue();
        assertThat(shot).exists();
        assertThat(Files.size(shot)).isGreaterThan(10_000);
    }
}
