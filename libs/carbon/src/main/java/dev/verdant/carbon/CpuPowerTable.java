package dev.verdant.carbon;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * CPU thermal design power by model name: CodeCarbon's cpu_power.csv (4903 rows), matched the way
 * CodeCarbon matches the model name it detects (codecarbon/core/cpu.py, TDP._get_matching_cpu, which
 * uses rapidfuzz with both score cut-offs at 100, in non-greedy mode):
 * <ol>
 *   <li>the raw name equals a row, ignoring case ({@code fuzz.ratio} = 100 on lower-cased strings);</li>
 *   <li>the name is cleaned (drop "(R)", cut at " CPU @ ", drop " CPU", drop " @ 2.90GHz") and
 *       compared again the same way;</li>
 *   <li>word sets: both names are lower-cased, every character that is not a letter or digit becomes
 *       a space ({@code utils.default_process}), and a row matches when one word set contains the
 *       other ({@code fuzz.token_set_ratio} = 100). Exactly one such row is a match; several tie
 *       and, as in CodeCarbon's non-greedy mode, give no match.</li>
 * </ol>
 * E.g. "Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz" is cleaned to "Intel Xeon Platinum 8375C",
 * a row (300 W); "AMD EPYC 7543 32-Core Processor" contains the words of the row "AMD EPYC 7543"
 * only (225 W); "AMD EPYC" is contained in 148 rows and matches none.
 */
public final class CpuPowerTable {
    static final String FILE = "cpu_power.csv";
    private static final Pattern GHZ = Pattern.compile(" @\\s*\\d+\\.\\d+GHz");
    private static final Pattern NOT_ALNUM = Pattern.compile("[^\\p{L}\\p{N}]+");
    private static final int CANDIDATES_SHOWN = 5;

    private static volatile CpuPowerTable packaged;

    private final List<Row> rows;
    private final Map<String, Row> byLowerName;

    /** tdpWatts is NaN for the four rows whose TDP field is not a number (e.g. "27.29.5"). */
    private record Row(String name, double tdpWatts, String tdpField, Set<String> words) {
    }

    private CpuPowerTable(List<Row> rows) {
        this.rows = List.copyOf(rows);
        Map<String, Row> index = new TreeMap<>();
        for (Row row : rows) {
            index.putIfAbsent(row.name().toLowerCase(Locale.ROOT), row);
        }
        this.byLowerName = index;
    }

    /** The table packaged with this library (read once). */
    public static CpuPowerTable packaged() {
        CpuPowerTable table = packaged;
        if (table == null) {
            synchronized (CpuPowerTable.class) {
                if (packaged == null) {
                    packaged = read();
                }
                table = packaged;
            }
        }
        return table;
    }

    private static CpuPowerTable read() {
        List<List<String>> records = DataFiles.csv(FILE);
        if (records.isEmpty() || !records.get(0).equals(List.of("Name", "TDP"))) {
            throw new IllegalStateException(FILE + " does not start with the header Name,TDP");
        }
        List<Row> rows = new ArrayList<>(records.size() - 1);
        for (List<String> record : records.subList(1, records.size())) {
            if (record.size() != 2) {
                throw new IllegalStateException(FILE + ": expected 2 fields, got " + record);
            }
            String name = record.get(0).strip();
            String tdp = record.get(1).strip();
            rows.add(new Row(name, parseWatts(tdp), tdp, words(name)));
        }
        return new CpuPowerTable(rows);
    }

    /**
     * Upstream has four malformed TDP fields ("27.29.5" for Intel Celeron 1000A, ...). Those rows stay
     * in the table, so that matching ties exactly as CodeCarbon's do, but cannot give a TDP.
     */
    private static double parseWatts(String field) {
        try {
            return Double.parseDouble(field);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    /** Number of CPU models in the table. */
    public int size() {
        return rows.size();
    }

    /** Looks a CPU model name up (e.g. the "model name" of /proc/cpuinfo). */
    public TdpMatch match(String modelName) {
        if (modelName == null || modelName.isBlank()) {
            return new TdpMatch.Unmatched(String.valueOf(modelName), "no CPU model name", List.of());
        }
        Row exact = byLowerName.get(modelName.toLowerCase(Locale.ROOT));
        if (exact != null) {
            return matched(modelName, exact, TdpMatch.Rule.EXACT);
        }
        String cleaned = clean(modelName);
        Row cleanedExact = byLowerName.get(cleaned.toLowerCase(Locale.ROOT));
        if (cleanedExact != null) {
            return matched(modelName, cleanedExact, TdpMatch.Rule.CLEANED_EXACT);
        }
        Set<String> queryWords = words(cleaned);
        if (queryWords.isEmpty()) {
            return new TdpMatch.Unmatched(modelName, "the name has no letters or digits", List.of());
        }
        List<Row> subsetMatches = new ArrayList<>();
        for (Row row : rows) {
            if (!row.words().isEmpty() && (queryWords.containsAll(row.words()) || row.words().containsAll(queryWords))) {
                subsetMatches.add(row);
            }
        }
        if (subsetMatches.size() == 1) {
            return matched(modelName, subsetMatches.get(0), TdpMatch.Rule.WORD_SUBSET);
        }
        if (subsetMatches.isEmpty()) {
            return new TdpMatch.Unmatched(modelName, "no row of " + FILE + " matches", List.of());
        }
        return new TdpMatch.Unmatched(modelName, subsetMatches.size() + " rows of " + FILE
                + " match equally well, so none is chosen", subsetMatches.stream()
                .limit(CANDIDATES_SHOWN).map(Row::name).toList());
    }

    private static TdpMatch matched(String query, Row row, TdpMatch.Rule rule) {
        if (Double.isNaN(row.tdpWatts())) {
            return new TdpMatch.Unmatched(query, "its row '" + row.name() + "' has a TDP that is not a number ('"
                    + row.tdpField() + "')", List.of(row.name()));
        }
        return new TdpMatch.Matched(query, row.name(), row.tdpWatts(), rule);
    }

    /** CodeCarbon's clean-up of a raw model name before the second exact comparison. */
    static String clean(String raw) {
        String name = raw.replace("(R)", "");
        int cpuAt = name.indexOf(" CPU @ ");
        if (cpuAt > 0) {
            name = name.substring(0, cpuAt);
        }
        name = name.replace(" CPU", "");
        return GHZ.matcher(name).replaceAll("");
    }

    /** rapidfuzz's default_process (lower case, non-alphanumerics to spaces, trimmed), split into words. */
    static Set<String> words(String name) {
        String processed = NOT_ALNUM.matcher(name.toLowerCase(Locale.ROOT)).replaceAll(" ").strip();
        if (processed.isEmpty()) {
            return Set.of();
        }
        return new LinkedHashSet<>(Arrays.asList(processed.split(" +")));
    }
}
