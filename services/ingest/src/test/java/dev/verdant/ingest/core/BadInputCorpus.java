package dev.verdant.ingest.core;

import ai.onnx.proto.OnnxMl.ModelProto;
import dev.verdant.events.ModelRejected;
import dev.verdant.onnx.testing.RejectableModels;
import dev.verdant.onnx.testing.TinyBertBuilder;
import dev.verdant.onnx.testing.WordPieceTokenizerJson;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * The bad-input corpus kept in {@code src/test/resources/bad-inputs/}: {@code cases.tsv} lists each
 * upload (key, model, tokenizer, recipe), the reason it must be refused with and words its message
 * must contain. The files are committed; {@link #main} rewrites them from the code below (run it
 * after changing a generator, then review the diff). Cases too large to keep (an oversized model)
 * are generated on load.
 */
public final class BadInputCorpus {
    /** The limits the corpus is run with (unit test and IT alike). */
    public static final long MAX_MODEL_BYTES = 2_000_000;
    public static final long MAX_TOKENIZER_BYTES = 200_000;
    public static final long MAX_RECIPE_BYTES = 8_192;
    /** The vocabulary of {@link #goodModel}, which {@link #goodTokenizer} matches. */
    public static final int VOCABULARY = 120;

    private static final String FOLDER = "bad-inputs/";

    /**
     * One upload. {@code model}, {@code tokenizer} and {@code recipe} are null where the upload has
     * no such object.
     */
    public record Case(String id, String key, byte[] model, byte[] tokenizer, byte[] recipe,
            ModelRejected.Reason reason, List<String> words) {
        @Override
        public String toString() {
            return id;
        }
    }

    private BadInputCorpus() {
    }

    /** A small tiny-BERT encoder (1 layer, hidden 16): the good model every case starts from. */
    public static byte[] goodModel(long seed) {
        return tinyBert(seed).toBytes();
    }

    public static byte[] goodTokenizer() {
        return WordPieceTokenizerJson.of(VOCABULARY).getBytes(StandardCharsets.UTF_8);
    }

    private static TinyBertBuilder tinyBert(long seed) {
        return TinyBertBuilder.tiny().layers(1).hidden(16).heads(2).ffn(32).vocabulary(VOCABULARY).maxPositions(32)
                .seed(seed);
    }

    public static List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        for (String line : resourceText("cases.tsv").split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\t", -1);
            if (f.length != 7) {
                throw new IllegalStateException("bad-inputs/cases.tsv: 7 tab-separated columns expected in: " + line);
            }
            cases.add(new Case(f[0], unescape(f[1]), content(f[2], "model"), content(f[3], "tokenizer"),
                    content(f[4], "recipe"), ModelRejected.Reason.valueOf(f[5]),
                    Arrays.stream(f[6].split(";")).map(String::trim).toList()));
        }
        return cases;
    }

    private static byte[] content(String spec, String column) {
        if (spec.equals("-")) {
            return null;
        }
        if (spec.equals("@good")) {
            return column.equals("model") ? goodModel(5) : goodTokenizer();
        }
        if (spec.startsWith("@zeros:")) {
            return new byte[Integer.parseInt(spec.substring("@zeros:".length()))];
        }
        if (spec.startsWith("@yaml-comment:")) {
            int size = Integer.parseInt(spec.substring("@yaml-comment:".length()));
            String body = "variants: []\n# ";
            return (body + "x".repeat(size - body.length() - 1) + "\n").getBytes(StandardCharsets.UTF_8);
        }
        if (spec.startsWith("@json-padding:")) {
            byte[] good = goodTokenizer();
            byte[] padded = Arrays.copyOf(good, Integer.parseInt(spec.substring("@json-padding:".length())));
            Arrays.fill(padded, good.length, padded.length, (byte) ' ');
            return padded;
        }
        return resource(spec);
    }

    /** {@code \}{@code uXXXX} escapes, so keys with control characters fit in a text file. */
    static String unescape(String text) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            if (text.startsWith("\\u", i) && i + 6 <= text.length()) {
                out.append((char) Integer.parseInt(text.substring(i + 2, i + 6), 16));
                i += 5;
            } else {
                out.append(text.charAt(i));
            }
        }
        return out.toString();
    }

    private static byte[] resource(String name) {
        try (InputStream in = BadInputCorpus.class.getClassLoader().getResourceAsStream(FOLDER + name)) {
            if (in == null) {
                throw new IllegalStateException("bad-inputs/" + name + " is missing: run BadInputCorpus.main");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String resourceText(String name) {
        return new String(resource(name), StandardCharsets.UTF_8);
    }

    /** Rewrites the corpus files: {@code BadInputCorpus services/ingest/src/test/resources/bad-inputs}. */
    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : "services/ingest/src/test/resources/bad-inputs");
        Files.createDirectories(dir);
        ModelProto good = tinyBert(5).build();
        byte[] goodBytes = good.toByteArray();
        byte[] random = new byte[4096];
        new Random(7).nextBytes(random);

        write(dir, "empty.onnx", new byte[0]);
        write(dir, "random-4k.bin", random);
        write(dir, "pytorch-checkpoint.zip", zip());
        write(dir, "config.json", "{\"architectures\": [\"BertModel\"], \"hidden_size\": 16, \"vocab_size\": 120}\n"
                .getBytes(StandardCharsets.UTF_8));
        write(dir, "truncated.onnx", Arrays.copyOf(goodBytes, goodBytes.length / 2));
        write(dir, "absurd-field-length.onnx", absurdGraphLength());
        write(dir, "absurd-string-length.onnx", absurdStringLength());
        write(dir, "absurd-dims.onnx", RejectableModels.withInflatedDims(good).toByteArray());
        write(dir, "negative-dims.onnx", negativeDims(good).toByteArray());
        write(dir, "deep-nesting.onnx", RejectableModels.nestedSubgraphs(40).toByteArray());
        write(dir, "dangling-input.onnx", RejectableModels.withDanglingInput(good, "missing_weight").toByteArray());
        write(dir, "ir-version-99.onnx", RejectableModels.withIrVersion(good, 99).toByteArray());
        write(dir, "opset-99.onnx", RejectableModels.withOpset(good, 99).toByteArray());
        write(dir, "mlp.onnx", RejectableModels.multilayerPerceptron().toByteArray());
        write(dir, "cnn.onnx", RejectableModels.convolutionalNetwork().toByteArray());
        write(dir, "external-parent.onnx",
                RejectableModels.withExternalData(good, "../../secrets/weights.bin").toByteArray());
        write(dir, "external-absolute.onnx", RejectableModels.withExternalData(good, "/etc/passwd").toByteArray());
        write(dir, "external-beside.onnx", RejectableModels.withExternalData(good, "weights.bin").toByteArray());

        write(dir, "tokenizer-not-tokenizer.json", "{\"not\": \"a tokenizer\"}\n".getBytes(StandardCharsets.UTF_8));
        write(dir, "tokenizer-deep.json", ("{\"model\": {\"vocab\": " + "[".repeat(5000) + "]".repeat(5000) + "}}\n")
                .getBytes(StandardCharsets.UTF_8));
        write(dir, "tokenizer-500.json", WordPieceTokenizerJson.of(500).getBytes(StandardCharsets.UTF_8));
        String goodTokenizer = WordPieceTokenizerJson.of(VOCABULARY);
        // 120 entries, as the model has rows, but one of them claims id 5000.
        text(dir, "tokenizer-id-beyond-vocab.json", goodTokenizer.replaceFirst("\"\\[MASK\\]\"\\s*:\\s*4", "\"[MASK]\": 5000"));
        // An added token with the largest int id: id + 1 overflowed an int and passed as a match.
        text(dir, "tokenizer-huge-added-id.json", goodTokenizer.replaceFirst("\"added_tokens\"\\s*:\\s*\\[",
                "\"added_tokens\": [{\"id\": 2147483647, \"content\": \"[EVIL]\", \"special\": true},"));

        text(dir, "recipe-unknown-field.yaml", "variants: []\nqualty: {maxLoss: 1}\n");
        text(dir, "recipe-huge-numbers.yaml", "variants: []\nquality: {maxLoss: 1e400}\n"
                + "evaluation: {maxPairs: 99999999999999999999999999999999}\n"
                + "carbon: {pue: 123456789012345678901234567890, inferencesPerDay: 1.0e308}\n");
        StringBuilder bomb = new StringBuilder("a: &a [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]\n");
        for (char c = 'b'; c <= 'i'; c++) {
            String prev = "*" + (char) (c - 1);
            bomb.append(c).append(": &").append(c).append(" [").append(String.join(", ", java.util.Collections.nCopies(9, prev)))
                    .append("]\n");
        }
        text(dir, "recipe-anchor-bomb.yaml", bomb + "variants: []\n");
        text(dir, "recipe-deep-nesting.yaml", "variants: []\nname: " + "[".repeat(500) + "]".repeat(500) + "\n");
        text(dir, "recipe-not-yaml.yaml", "variants: [unclosed\nquality: {maxLoss: \"\n\t- : :\n");
        text(dir, "recipe-not-mapping.yaml", "- quantize\n- prune\n");
        text(dir, "recipe-hostile-name.yaml", "variants:\n  - name: \"\\e[2J\\e[H" + "x".repeat(5000) + "\"\n"
                + "    technique: quantize\n    params: {mode: fp16}\n");
    }

    /** ir_version 8, then graph (field 7) declaring 2,147,483,632 bytes in a 30-byte file. */
    private static byte[] absurdGraphLength() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x08); // field 1 ir_version, varint
        out.write(8);
        out.write(0x3A); // field 7 graph, length-delimited
        varint(out, 0x7FFFFFF0L);
        out.writeBytes(new byte[24]);
        return out.toByteArray();
    }

    /** ir_version 8, then producer_name (field 2) declaring 2,147,483,647 bytes. */
    private static byte[] absurdStringLength() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x08);
        out.write(8);
        out.write(0x12); // field 2 producer_name, length-delimited
        varint(out, 0x7FFFFFFFL);
        out.writeBytes("pytorch".getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    private static void varint(ByteArrayOutputStream out, long value) {
        while ((value & ~0x7FL) != 0) {
            out.write((int) ((value & 0x7F) | 0x80));
            value >>>= 7;
        }
        out.write((int) value);
    }

    private static ModelProto negativeDims(ModelProto model) {
        var graph = model.getGraph().toBuilder();
        graph.setInitializer(0, graph.getInitializer(0).toBuilder().setDims(0, -5));
        return model.toBuilder().setGraph(graph).build();
    }

    private static byte[] zip() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            ZipEntry entry = new ZipEntry("archive/data.pkl");
            entry.setTime(315_532_800_000L); // 1980-01-01: the same bytes on every regeneration
            zip.putNextEntry(entry);
            zip.write(new byte[] {(byte) 0x80, 2, '}', 'q', 0, '.'});
            zip.closeEntry();
        }
        return bytes.toByteArray();
    }

    private static void write(Path dir, String name, byte[] bytes) throws IOException {
        Files.write(dir.resolve(name), bytes);
    }

    private static void text(Path dir, String name, String text) throws IOException {
        write(dir, name, text.getBytes(StandardCharsets.UTF_8));
    }
}
