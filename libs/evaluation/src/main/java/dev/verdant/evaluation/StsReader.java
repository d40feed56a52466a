package dev.verdant.evaluation;

import dev.verdant.events.Hashes;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Reads STS data: UTF-8, one pair per line as {@code score TAB sentence1 TAB sentence2}, an
 * optional header line whose first field is "score". Fields are split on TAB only: sentences
 * contain quotes, so no CSV quoting rules apply.
 *
 * <p>Strict on purpose: a line with the wrong number of fields or a score that is not a finite
 * number rejects the whole file (with the line number), since silently skipping lines would change
 * the benchmark and make figures incomparable.
 */
public final class StsReader {

    private static final int FIELDS = 3;

    /** The outcome of reading: the pairs, or why there are none. */
    public sealed interface Result permits Loaded, Invalid {
    }

    public record Loaded(StsDataset dataset) implements Result {
        public Loaded {
            Objects.requireNonNull(dataset, "dataset");
        }
    }

    public record Invalid(FailureReason reason, String message) implements Result {
        public Invalid {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(message, "message");
        }
    }

    private StsReader() {
    }

    /** One of the splits packaged with this module. */
    public static Result builtIn(StsSplit split) {
        try (InputStream in = StsReader.class.getClassLoader().getResourceAsStream(split.resource())) {
            if (in == null) {
                return new Invalid(FailureReason.INTERNAL_ERROR, "The built-in STS-B " + split.datasetName()
                        + " split (" + split.resource() + ") is missing from the class path: the verdant-evaluation"
                        + " jar is incomplete. Rebuild it.");
            }
            return parse(in.readAllBytes(), split.datasetName(), "the built-in " + split.datasetName() + " split");
        } catch (IOException e) {
            return new Invalid(FailureReason.INTERNAL_ERROR, "The built-in STS-B split " + split.datasetName()
                    + " could not be read: " + e.getMessage());
        }
    }

    public static Result read(Path file) {
        String shown = "the STS file '" + file + "'";
        try {
            if (Files.isDirectory(file)) {
                return new Invalid(FailureReason.DATASET_UNREADABLE, "'" + file + "' is a directory; pass the .tsv file"
                        + " with the STS pairs.");
            }
            return parse(Files.readAllBytes(file), file.getFileName().toString(), shown);
        } catch (NoSuchFileException e) {
            return new Invalid(FailureReason.DATASET_UNREADABLE, "There is no STS file at '" + file + "'.");
        } catch (IOException e) {
            return new Invalid(FailureReason.DATASET_UNREADABLE, "Could not read " + shown + ": " + e.getMessage());
        }
    }

    /**
     * @param content the file's bytes
     * @param name    the name recorded in reports
     * @param shown   how messages refer to the file ("the STS file 'x.tsv'")
     */
    public static Result parse(byte[] content, String name, String shown) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(content)).toString();
        } catch (CharacterCodingException e) {
            return new Invalid(FailureReason.DATASET_MALFORMED, capitalized(shown) + " is not UTF-8 text. Save it as"
                    + " UTF-8 with one pair per line: score TAB sentence1 TAB sentence2.");
        }
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1); // a byte-order mark is not part of the first field
        }
        String[] lines = text.split("\n", -1);
        int last = lines.length;
        while (last > 0 && lines[last - 1].strip().isEmpty()) {
            last--; // trailing blank lines (the final LF, an editor's extra newline) carry no pair
        }
        List<StsPair> pairs = new ArrayList<>();
        for (int i = 0; i < last; i++) {
            int lineNumber = i + 1;
            String line = lines[i].endsWith("\r") ? lines[i].substring(0, lines[i].length() - 1) : lines[i];
            String[] fields = line.split("\t", -1);
            if (i == 0 && fields[0].strip().toLowerCase(Locale.ROOT).equals("score")) {
                continue;
            }
            if (line.isBlank()) {
                return malformed(shown, lineNumber, "is empty");
            }
            if (fields.length != FIELDS) {
                return malformed(shown, lineNumber, "has " + fields.length + " tab-separated field"
                        + (fields.length == 1 ? "" : "s") + ", not " + FIELDS);
            }
            double score;
            try {
                score = Double.parseDouble(fields[0].strip());
            } catch (NumberFormatException e) {
                return malformed(shown, lineNumber, "has the score '" + abbreviated(fields[0]) + "', which is not a number");
            }
            if (!Double.isFinite(score)) {
                return malformed(shown, lineNumber, "has the score '" + abbreviated(fields[0]) + "', which is not finite");
            }
            if (fields[1].isBlank() || fields[2].isBlank()) {
                return malformed(shown, lineNumber, "has an empty sentence");
            }
            pairs.add(new StsPair(score, fields[1], fields[2]));
        }
        if (pairs.isEmpty()) {
            return new Invalid(FailureReason.DATASET_EMPTY, capitalized(shown) + " has no pairs"
                    + (content.length == 0 ? " (it is empty)" : " (only a header or blank lines)")
                    + ". It needs one pair per line: score TAB sentence1 TAB sentence2.");
        }
        return new Loaded(new StsDataset(name, Hashes.sha256(content), pairs));
    }

    private static Invalid malformed(String shown, int line, String problem) {
        return new Invalid(FailureReason.DATASET_MALFORMED, capitalized(shown) + ": line " + line + " " + problem
                + ". Every line must be: score TAB sentence1 TAB sentence2 (the score a number such as 3.8,"
                + " sentences without tabs; an optional first line 'score TAB sentence1 TAB sentence2').");
    }

    private static String abbreviated(String field) {
        String clean = field.replaceAll("\\p{Cntrl}", "?");
        return clean.length() <= 40 ? clean : clean.substring(0, 40) + "...";
    }

    private static String capitalized(String text) {
        return text.isEmpty() ? text : Character.toUpperCase(text.charAt(0)) + text.substring(1);
    }
}
