package dev.verdant.onnx;

import ai.onnx.proto.OnnxMl.ModelProto;
import com.google.protobuf.CodedInputStream;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Reads and writes ONNX model files.
 *
 * <p>Reading streams the file into the protobuf parser (no second copy of the bytes in memory).
 * An ONNX file is one protobuf message, and protobuf cannot address more than 2 GiB
 * ({@code Integer.MAX_VALUE} bytes), so that is the hard ceiling; models beyond it must use
 * external data, which Verdant does not accept.
 */
public final class OnnxGraphs {

    /** Protobuf's own ceiling for one message: 2^31 - 1 bytes. */
    public static final long PROTOBUF_MAX_BYTES = Integer.MAX_VALUE;

    /** 64 KiB reads: fewer system calls than protobuf's 4 KiB default on a 90 MB model. */
    static final int READ_BUFFER_BYTES = 1 << 16;

    private OnnxGraphs() {
    }

    /** Reads a model of at most {@link #PROTOBUF_MAX_BYTES}. */
    public static ModelProto read(Path file) throws IOException {
        return read(file, PROTOBUF_MAX_BYTES);
    }

    /**
     * Reads a model, refusing (before parsing) a file larger than {@code maxBytes}.
     *
     * @throws IOException when the file cannot be read, is too large, or is not a valid protobuf
     *                     ({@link com.google.protobuf.InvalidProtocolBufferException})
     */
    public static ModelProto read(Path file, long maxBytes) throws IOException {
        long size = Files.size(file);
        if (size > Math.min(maxBytes, PROTOBUF_MAX_BYTES)) {
            throw new IOException(file + " is " + size + " bytes, over the limit of "
                    + Math.min(maxBytes, PROTOBUF_MAX_BYTES));
        }
        try (InputStream in = Files.newInputStream(file)) {
            return parse(in, maxBytes);
        }
    }

    /** Parses a model from a stream, reading at most {@code maxBytes} (capped at 2 GiB). */
    public static ModelProto parse(InputStream in, long maxBytes) throws IOException {
        CodedInputStream coded = CodedInputStream.newInstance(in, READ_BUFFER_BYTES);
        coded.setSizeLimit((int) Math.max(0, Math.min(maxBytes, PROTOBUF_MAX_BYTES)));
        return ModelProto.parseFrom(coded);
    }

    /**
     * Writes a model, replacing {@code file} only once the new bytes are complete (written beside
     * it, then moved), so a reader never sees half a model.
     */
    public static void write(ModelProto model, Path file) throws IOException {
        Path target = file.toAbsolutePath();
        Path parent = target.getParent();
        Files.createDirectories(parent);
        Path partial = Files.createTempFile(parent, target.getFileName().toString(), ".partial");
        try {
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(partial), READ_BUFFER_BYTES)) {
                model.writeTo(out);
            }
            try {
                Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (java.nio.file.AtomicMoveNotSupportedException notAtomic) {
                Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(partial);
        }
    }

    /** The serialized model. */
    public static byte[] toBytes(ModelProto model) {
        return model.toByteArray();
    }
}
