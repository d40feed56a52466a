package dev.verdant.distillation;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
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

    /** One exactly sized array (checkpoints of MiniLM's student are ~70 MB: no doubling buffer). */
    byte[] encode() {
        byte[] key = runKey.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        long size = 4 + 4 + 2 + key.length + 4 + 4;
        for (Map.Entry<String, float[]> entry : arrays.entrySet()) {
            size += 2 + entry.getKey().getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 4
                    + 4L * entry.getValue().length;
        }
        ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(size));
        out.putInt(MAGIC).putInt(VERSION);
        putString(out, key);
        out.putInt(step).putInt(arrays.size());
        for (Map.Entry<String, float[]> entry : arrays.entrySet()) {
            putString(out, entry.getKey().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            float[] values = entry.getValue();
            out.putInt(values.length);
            ByteBuffer floats = out.slice().order(ByteOrder.LITTLE_ENDIAN);
            floats.asFloatBuffer().put(values);
            out.position(out.position() + 4 * values.length);
        }
        return out.array();
    }

    /** The length as an unsigned short, then the bytes: what DataInputStream.readUTF reads for ASCII names. */
    private static void putString(ByteBuffer out, byte[] bytes) {
        out.putShort((short) bytes.length).put(bytes);
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
