package dev.verdant.carbon;

import java.util.List;

/** What {@link CpuPowerTable#match} found for a CPU model name. */
public sealed interface TdpMatch {

    /** The model name that was looked up, as given. */
    String query();

    /** A row of cpu_power.csv: its name, its TDP and which matching rule found it. */
    record Matched(String query, String tableName, double tdpWatts, Rule rule) implements TdpMatch {
    }

    /**
     * No row, or more than one equally good row (CodeCarbon's non-greedy mode picks none then).
     *
     * @param candidates the tied rows when the name was ambiguous (at most a few, for the message), else empty
     */
    record Unmatched(String query, String reason, List<String> candidates) implements TdpMatch {
        public Unmatched {
            candidates = List.copyOf(candidates);
        }
    }

    /** The rules, tried in this order (CodeCarbon's TDP._get_matching_cpu). */
    enum Rule {
        /** The raw name equals a row, ignoring case. */
        EXACT,
        /** After dropping "(R)", " CPU @ ..." / " CPU" and " @ N.NNGHz", the name equals a row, ignoring case. */
        CLEANED_EXACT,
        /** Word sets of the cleaned name and of exactly one row: one contains the other. */
        WORD_SUBSET
    }
}
