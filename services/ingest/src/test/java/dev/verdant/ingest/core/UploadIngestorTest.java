package dev.verdant.ingest.core;

import static org.assertj.core.api.Assertions.assertThat;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class UploadIngestorTest {
    @Test
    void hostileKeysArePrintedEscapedAndBounded() {
        assertThat(UploadIngestor.printable("uploads/a\u001b[2J\n/model.onnx"))
                .isEqualTo("\"uploads/a\\u001b[2J\\u000a/model.onnx\"");
        assertThat(UploadIngestor.printable("x".repeat(1000))).hasSize(305).endsWith("...\"");
    }

    /** Regression: a limit above 1 GiB was silently capped at 1 GiB by the ONNX inspector's default. */
    @Test
    void sizeLimitsAreCheckedWhereTheyAreSet() {
        Path work = Path.of("target");
        assertThatThrownBy(() -> new IngestSettings("verdant", 3L << 30, 1, work))
                .hasMessageContaining("verdant.ingest.max-model-bytes");
        assertThatThrownBy(() -> new IngestSettings("verdant", 1, 1, 100_000, work))
                .hasMessageContaining("verdant.ingest.max-recipe-bytes");
        UploadIngestor ingestor = new UploadIngestor(new MemoryUploadStore(),
                new IngestSettings("verdant", (3L << 30) / 2, 1, work), java.time.Clock.systemUTC());
        assertThat(ingestor.inspectionPolicy().maxFileBytes()).isEqualTo((3L << 30) / 2);
    }
}
