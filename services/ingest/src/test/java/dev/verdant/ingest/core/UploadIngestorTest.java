package dev.verdant.ingest.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class UploadIngestorTest {
    @Test
    void hostileKeysArePrintedEscapedAndBounded() {
        assertThat(UploadIngestor.printable("uploads/a\u001b[2J\n/model.onnx"))
                .isEqualTo("\"uploads/a\\u001b[2J\\u000a/model.onnx\"");
        assertThat(UploadIngestor.printable("x".repeat(1000))).hasSize(305).endsWith("...\"");
    }
}
