package dev.verdant.e2e;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Seconds per stage, printed as a table at the end of a journey. */
final class Timings {
    private record Stage(String name, double seconds, String note) {
    }

    private final List<Stage> stages = new ArrayList<>();

    synchronized void add(String stage, double seconds) {
        add(stage, seconds, "");
    }

    /** A line with a note and no duration (e.g. memory). */
    synchronized void note(String stage, String note) {
        add(stage, Double.NaN, note);
    }

    synchronized void add(String stage, double seconds, String note) {
        stages.add(new Stage(stage, seconds, note));
    }

    synchronized String table(String title) {
        int width = Math.max(5, stages.stream().mapToInt(s -> s.name().length()).max().orElse(5));
        StringBuilder out = new StringBuilder("\n").append(title).append('\n');
        out.append(String.format(Locale.ROOT, "  %-" + width + "s  %8s%n", "stage", "seconds"));
        for (Stage s : stages) {
            out.append(String.format(Locale.ROOT, "  %-" + width + "s  %8s%s%n", s.name(),
                    Double.isNaN(s.seconds()) ? "" : String.format(Locale.ROOT, "%.2f", s.seconds()),
                    s.note().isEmpty() ? "" : "  " + s.note()));
        }
        return out.toString();
    }
}
