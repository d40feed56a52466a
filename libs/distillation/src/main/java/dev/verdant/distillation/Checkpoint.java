package dev.verdant.distillation;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Training state after {@code step} steps: every trained parameter and Adam's two moments for it.
 * With the seed and the step index fixing the data order, that is all a resumed job needs to
 * continue exactly where the killed one stopped.
 *
 * <p>Format: "VDCK", version 1, the run key, the step, then per array its name, length and the
 * floats (little-endian).
 */
record Checkpoint(String runKey, int step, Map<String, float[]> arrays) {

    private static final int MAGIC = 0x5644434B; // "VDCK"
    private static final int VERSION = 1;

    byte[] encode() {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeInt(MAGIC);
            out.writeInt(VERSION);
            out.writeUTF(runKey);
            out.writeInt(step);
            out.writeInt(arrays.size());
            for (Map.Entry<String, float[]> entry : arrays.entrySet()) {
                out.writeUTF(entry.getKey());
                float[] values = entry.getValue();
                out.writeInt(values.length);
                ByteBuffer buffer = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                buffer.asFloatBuffer().put(values);
                out.write(buffer.array());
            }
            out.flush();
            return bytes.toByteArray();
        } catch (IOException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    /** @throws IllegalArgumentException when the bytes are not a checkpoint of this format */
    static Checkpoint decode(byte[] encoded) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(encoded))) {
            if (in.readInt() != MAGIC || in.readInt() != VERSION) {
                throw new IllegalArgumentException("not a Verdant distillation checkpoint (version " + VERSION + ")");
            }
            String runKey = in.readUTF();
            int step = in.readInt();
            int count = in.readInt();
            Map<String, float[]> arrays = new LinkedHashMap<>();
            for (int i = 0; i < count; i++) {
                String name = in.readUTF();
                int length = in.readInt();
                byte[] raw = new byte[Math.multiplyExact(length, 4)];
                in.readFully(raw);
                float[] values = new float[length];
                ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
                arrays.put(name, values);
            }
            return new Checkpoint(runKey, step, arrays);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("unreadable distillation checkpoint: " + e.getMessage(), e);
        }
    }
}
