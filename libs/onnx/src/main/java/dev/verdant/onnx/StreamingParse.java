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

    static Outcome parse(InputStream source, long size, long maxBytes) {
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
            return new Failed(classify(invalid, size, head));
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
                + " ModelProto (" + ModelChecks.printable(wording) + ")" + formatHint(head) + ". " + EXPORT_ADVICE);
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
