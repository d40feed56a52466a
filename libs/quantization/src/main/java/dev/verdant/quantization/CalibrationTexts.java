package dev.verdant.quantization;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads calibration texts for static-int8. */
public final class CalibrationTexts {

    private CalibrationTexts() {
    }

    /**
     * One text per line; a line with tabs gives one text per column that is not a number, so an STS TSV
     * (score, sentence1, sentence2) works as is. A first line whose columns are all header-like words
     * (e.g. "score\tsentence1\tsentence2") is skipped.
     *
     * @throws IllegalArgumentException when the file holds no text
     */
    public static List<String> read(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (i == 0 && line.contains("\t") && line.matches("[A-Za-z0-9_\\t ]+") && line.toLowerCase().contains("sentence")) {
                continue;
            }
            for (String column : line.split("\t")) {
                String text = column.strip();
                if (!text.isEmpty() && !isNumber(text)) {
                    texts.add(text);
                }
            }
        }
        if (texts.isEmpty()) {
            throw new IllegalArgumentException("calibration file " + file + " holds no text: give one sentence per line");
        }
        return texts;
    }

    private static boolean isNumber(String text) {
        try {
            Double.parseDouble(text);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
