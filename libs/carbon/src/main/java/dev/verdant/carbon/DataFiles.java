package dev.verdant.carbon;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The packaged data tables (src/main/resources/dev/verdant/carbon/data) and a small CSV reader for them. */
final class DataFiles {
    static final String DIR = "/dev/verdant/carbon/data/";
    private static final char BOM = '\uFEFF';

    private DataFiles() {
    }

    static InputStream open(String file) {
        InputStream in = DataFiles.class.getResourceAsStream(DIR + file);
        if (in == null) {
            throw new IllegalStateException("carbon data file " + DIR + file + " is missing from the classpath"
                    + " (it is packaged in verdant-carbon's jar)");
        }
        return in;
    }

    /**
     * Reads a CSV file of the data folder: one record a line (none of these files has a line break
     * inside a field), fields split on commas outside double quotes, a doubled quote inside quotes is
     * one quote. A leading UTF-8 byte order mark is dropped. Blank lines are skipped.
     *
     * @return the records, the header first
     */
    static List<List<String>> csv(String file) {
        List<List<String>> rows = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(open(file), StandardCharsets.UTF_8))) {
            String line;
            boolean first = true;
            while ((line = reader.readLine()) != null) {
                if (first && !line.isEmpty() && line.charAt(0) == BOM) {
                    line = line.substring(1);
                }
                first = false;
                if (!line.isBlank()) {
                    rows.add(splitCsvLine(line));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read carbon data file " + file, e);
        }
        return rows;
    }

    static List<String> splitCsvLine(String line) {
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    field.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    field.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                fields.add(field.toString());
                field.setLength(0);
            } else {
                field.append(c);
            }
        }
        fields.add(field.toString());
        return fields;
    }
}
