package dev.verdant.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.verdant.events.EventJson;
import dev.verdant.events.ModelRejected;
import dev.verdant.events.Upload;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommandLineTest {
    @TempDir
    Path workspace;


    @Test
    void durationsAreReadAsPeopleWriteThem() {
        assertThat(WatchCommand.parseDuration("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(WatchCommand.parseDuration("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(WatchCommand.parseDuration("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThatThrownBy(() -> WatchCommand.parseDuration("soon")).hasMessageContaining("30s");
    }

    @Test
    void watchWithoutARunningVerdantSaysHowToStartOne() {
        CliRun r = CliRun.of("--workspace", workspace.toString(), "watch", "--timeout", "1s");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("./verdant up").doesNotContain("Exception");
    }

    @Test
    void submitOfAMissingFileNamesIt() {
        CliRun r = CliRun.of("--workspace", workspace.toString(), "submit", workspace.resolve("nope.onnx").toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("nope.onnx");
    }

    @Test
    void rejectionsReadAsOneSafeLine() {
        String line = EventLines.describe(new ModelRejected(null, null,
                new Upload("verdant", "uploads/x\u001b[2J/model.onnx", 0L, null, Upload.Trigger.POLLER),
                ModelRejected.Reason.EMPTY_FILE, "empty\nfile", Instant.EPOCH));
        assertThat(line).contains("REJECTED", "EMPTY_FILE").doesNotContain("\u001b").doesNotContain("\n");
    }

    @Test
    void jsonLinesLeaveAbsentFieldsOut() {
        String json = EventJson.toJson(new WatchCommand.JsonLine("verdant.dead-letter", "k", null, null, null, null,
                null, "not a MinIO bucket notification"));
        assertThat(json).isEqualTo("{\"topic\":\"verdant.dead-letter\",\"key\":\"k\",\"error\":\"not a MinIO bucket notification\"}");
    }
}
