package dev.verdant.onnx;

import dev.verdant.onnx.testing.TinyBertBuilder;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StreamingParseTest {

    /** A disk or network failure half-way is a STORAGE_ERROR, not a verdict on the file's content. */
    @Test
    void readFailureMidwayIsUnreadableNotCorrupt() {
        byte[] model = TinyBertBuilder.tiny().layers(4).toBytes();
        var failing = new FilterInputStream(new ByteArrayInputStream(model)) {
            private int delivered;

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                if (delivered > model.length / 3) {
                    throw new IOException("Input/output error");
                }
                int read = super.read(buffer, offset, Math.min(length, 4096));
                delivered += Math.max(read, 0);
                return read;
            }
        };

        StreamingParse.Outcome outcome = StreamingParse.parse(failing, model.length, model.length);

        Inspection.Rejected rejected = assertInstanceOf(StreamingParse.Failed.class, outcome).rejection();
        assertEquals(ReasonCode.STORAGE_ERROR, rejected.reason(), rejected.message());
        assertTrue(rejected.message().contains("Input/output error"), rejected.message());
    }
}
