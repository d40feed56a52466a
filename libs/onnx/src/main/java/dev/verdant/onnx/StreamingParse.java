package dev.verdant.onnx;

import ai.onnx.proto.OnnxMl.ModelProto;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import dev.verdant.onnx.Inspection.Rejected;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * One pass over the bytes: protobuf parses the ModelProto while a DigestInputStream underneath
 * hashes exactly what was read, so the SHA-256 costs no second read of a 90 MB file. Parse
 * failures become rejections that say what the bytes are instead.
 */
final class StreamingParse {

    sealed interface Outcome permits Parsed, Failed {
    }

    record Parsed(ModelProto model, String sha256) implements Outcome {
    }

    record Failed(Rejected rejection) implements Outcome {
    }

    /** protobuf-java's wording for input that ends inside a field (InvalidProtocolBufferException.truncatedMessage). */
    private static final String TRUNCATED_WORDING = "the input ended unexpectedly";
    /** ... and for its recursion limit (CodedInputStream.DEFAULT_RECURSION_LIMIT = 100). */
    private static final String NESTING_WORDING = "too many levels of nesting";
    private static final int HEAD_BYTES = 16;

    private StreamingParse() {
    }

    /** Opens the same bytes again, for a second look at a file that did not parse. */
    @FunctionalInterface
    interface Reread {
        InputStream open() throws IOException;
    }

    static Outcome parse(InputStream source, long size, long maxBytes) {
        return parse(source, size, maxBytes, null);
    }

    /**
     * @param reread where a file that fails to parse can be read again, to find a field declaring
     *               more bytes than the file holds (null: no second look)
     */
    static Outcome parse(InputStream source, long size, long maxBytes, Reread reread) {
        MessageDigest sha256 = newSha256();
        BufferedInputStream buffered = new BufferedInputStream(new DigestInputStream(source, sha256),
                OnnxGraphs.READ_BUFFER_BYTES);
        byte[] head;
        try {
            buffered.mark(HEAD_BYTES);
            head = buffered.readNBytes(HEAD_BYTES);
            buffered.reset();
        } catch (IOException unreadable) {
            return unreadable(unreadable);
        }
        try {
            CodedInputStream coded = CodedInputStream.newInstance(buffered, OnnxGraphs.READ_BUFFER_BYTES);
            coded.setSizeLimit((int) Math.min(maxBytes, OnnxGraphs.PROTOBUF_MAX_BYTES));
            ModelProto model = ModelProto.parseFrom(coded);
            buffered.transferTo(java.io.OutputStream.nullOutputStream()); // hash bytes protobuf left unread
            if (model.getIrVersion() == 0 && !model.hasGraph()) {
                return new Failed(new Rejected(ReasonCode.NOT_ONNX, "The file is not an ONNX model: it holds no"
                        + " IR version and no graph" + formatHint(head) + ". " + EXPORT_ADVICE));
            }
            return new Parsed(model, HexFormat.of().formatHex(sha256.digest()));
        } catch (InvalidProtocolBufferException invalid) {
            // Newer generated code wraps a failing read of the stream (tribuo's classes pass the raw
            // IOException through, caught below): either way that is I/O, not content.
            if (invalid.getCause() instanceof IOException cause && !(cause instanceof InvalidProtocolBufferException)) {
                return unreadable(cause);
            }
            Rejected rejection = classify(invalid, size, head);
            if (rejection.reason() == ReasonCode.NOT_ONNX && reread != null && formatHint(head).isEmpty()) {
                Optional<Rejected> oversized = oversizedField(reread, size);
                if (oversized.isPresent()) {
                    return new Failed(oversized.get());
                }
            }
            return new Failed(rejection);
        } catch (IOException unreadable) {
            return unreadable(unreadable);
        }
    }

    private static final String EXPORT_ADVICE = "Upload the .onnx file itself (not a PyTorch checkpoint,"
            + " SafeTensors file or archive), e.g. as written by torch.onnx.export or"
            + " optimum-cli export onnx.";

    private static Rejected classify(InvalidProtocolBufferException invalid, long size, byte[] head) {
        String wording = String.valueOf(invalid.getMessage());
        if (wording.contains(NESTING_WORDING)) {
            return new Rejected(ReasonCode.NESTING_TOO_DEEP, "The file nests messages more than 100 levels deep"
                    + " (graphs inside node attributes inside graphs...), past the protobuf parser's safety limit."
                    + " No exported encoder looks like this; the file is corrupt or crafted. " + EXPORT_ADVICE);
        }
        MessageLite partial = invalid.getUnfinishedMessage();
        if (wording.contains(TRUNCATED_WORDING) && partial instanceof ModelProto started
                && started.getIrVersion() > 0 && started.getIrVersion() < 100) {
            String producer = started.getProducerName().isEmpty() ? ""
                    : ", producer '" + ModelChecks.printable(started.getProducerName()) + "'";
            return new Rejected(ReasonCode.TRUNCATED, "The file is cut short: it starts like an ONNX model (IR version "
                    + started.getIrVersion() + producer + ") but its " + size + " bytes end in the middle of a"
                    + " field. The upload or copy was probably interrupted; upload the complete file again.");
        }
        return new Rejected(ReasonCode.NOT_ONNX, "The file is not an ONNX model: it does not parse as an ONNX"
                + " ModelProto (" + plainWording(wording) + ")" + formatHint(head) + ". " + EXPORT_ADVICE);
    }

    private static final String[] MODEL_FIELDS = new String[26];

    static {
        MODEL_FIELDS[1] = "ir_version";
        MODEL_FIELDS[2] = "producer_name";
        MODEL_FIELDS[3] = "producer_version";
        MODEL_FIELDS[4] = "domain";
        MODEL_FIELDS[5] = "model_version";
        MODEL_FIELDS[6] = "doc_string";
        MODEL_FIELDS[7] = "graph";
        MODEL_FIELDS[8] = "opset_import";
        MODEL_FIELDS[14] = "metadata_props";
        MODEL_FIELDS[20] = "training_info";
        MODEL_FIELDS[25] = "functions";
    }

    /**
     * Walks the ModelProto's top-level fields in wire format (tag, then a varint, 8 or 4 bytes, or a
     * length and that many bytes) and finds the first whose declared length runs past the end of
     * the file: a crafted size (protobuf would otherwise report a bad tag or a "too large" message)
     * or a cut file. Stops at the first tag that is not a valid ONNX field, and at an oversized
     * field before any IR version; reads at most the file once.
     */
    static Optional<Rejected> oversizedField(Reread reread, long size) {
        try (InputStream in = new BufferedInputStream(reread.open(), OnnxGraphs.READ_BUFFER_BYTES)) {
            CodedInputStream wire = CodedInputStream.newInstance(in);
            wire.setSizeLimit(Integer.MAX_VALUE);
            long ir = 0;
            while (!wire.isAtEnd()) {
                int tag = wire.readTag();
                int field = tag >>> 3;
                int wireType = tag & 7;
                if (field < 1 || field >= MODEL_FIELDS.length || MODEL_FIELDS[field] == null) {
                    return Optional.empty();
                }
                switch (wireType) {
                    case 0 -> {
                        long value = wire.readRawVarint64();
                        if (field == 1) {
                            ir = value;
                        }
                    }
                    case 1 -> wire.skipRawBytes(8);
                    case 5 -> wire.skipRawBytes(4);
                    case 2 -> {
                        long declared = wire.readRawVarint64();
                        long remaining = size - wire.getTotalBytesRead();
                        // Only for a file that starts like ONNX (an IR version first, as every
                        // exporter writes it): in random bytes an "oversized field" means nothing.
                        if (ir > 0 && (declared < 0 || declared > remaining)) {
                            return Optional.of(new Rejected(ReasonCode.TRUNCATED, "The file is cut short or"
                                    + " corrupt: its field " + MODEL_FIELDS[field] + " (" + field + ") declares "
                                    + Long.toUnsignedString(declared) + " bytes, but only " + remaining + " of the"
                                    + " file's " + size + " bytes follow (it starts like an ONNX model, IR version "
                                    + ir + "). The upload or copy was interrupted, or the"
                                    + " file was crafted; upload the complete file again."));
                        }
                        if (declared < 0 || declared > remaining) {
                            return Optional.empty();
                        }
                        wire.skipRawBytes((int) declared);
                    }
                    default -> {
                        return Optional.empty();
                    }
                }
            }
            return Optional.empty();
        } catch (IOException | RuntimeException unreadable) {
            return Optional.empty();
        }
    }

    /** protobuf-java's exception text, which speaks to programmers ("Use CodedInputStream.setSizeLimit()"), in short. */
    private static String plainWording(String wording) {
        if (wording.contains(TRUNCATED_WORDING)) {
            return "its bytes end in the middle of a protobuf field";
        }
        if (wording.contains("invalid tag") || wording.contains("invalid wire type") || wording.contains("end-group tag")) {
            return "it holds bytes that are not protobuf fields";
        }
        if (wording.contains("too large")) {
            return "a field declares more bytes than the file holds";
        }
        if (wording.contains("malformed varint") || wording.contains("negative size")) {
            return "it holds a malformed protobuf length";
        }
        return ModelChecks.printable(wording);
    }

    /** Names the format when the first bytes give it away. */
    private static String formatHint(byte[] head) {
        if (head.length >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) {
            return "; it is a ZIP archive, which is how PyTorch saves .pt/.bin checkpoints";
        }
        if (head.length >= 9 && head[8] == '{') {
            return "; it looks like a SafeTensors file";
        }
        if (head.length >= 2 && (head[0] & 0xFF) == 0x80 && head[1] >= 2 && head[1] <= 5) {
            return "; it looks like a Python pickle";
        }
        if (head.length >= 4 && head[0] == 0x1F && (head[1] & 0xFF) == 0x8B) {
            return "; it is gzip-compressed: decompress it first";
        }
        String text = new String(head, StandardCharsets.US_ASCII).stripLeading();
        if (text.startsWith("{") || text.startsWith("<") || text.startsWith("version")) {
            return "; it is a text file";
        }
        return "";
    }

    private static Outcome unreadable(IOException unreadable) {
        return new Failed(new Rejected(ReasonCode.STORAGE_ERROR, "The file could not be read ("
                + ModelChecks.printable(String.valueOf(unreadable.getMessage())) + "). Upload it again."));
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException impossible) {
            throw new IllegalStateException("every Java platform provides SHA-256", impossible);
        }
    }
}
