package dev.verdant.cli;

import dev.verdant.events.ModelIngested;
import dev.verdant.events.ModelRejected;
import dev.verdant.events.PlannedStep;
import dev.verdant.events.RunReported;
import dev.verdant.events.Technique;
import dev.verdant.events.VariantCreated;
import dev.verdant.events.VariantEvaluated;
import dev.verdant.events.VariantFailed;
import dev.verdant.events.VerdantEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Where one run stands, stage by stage, from its events: what is made per technique, what is
 * evaluated, whether the verdict is out. Redelivered events count once (sets of variant ids).
 * {@link #lines} renders it as progress bars for a terminal.
 */
final class RunProgress {
    private static final int BAR = 24;
    private static final List<Technique> TECHNIQUES = List.of(Technique.QUANTIZE, Technique.PRUNE, Technique.DISTILL);

    private final Map<Technique, Set<String>> planned = new EnumMap<>(Technique.class);
    private final Map<String, Technique> techniqueOf = new LinkedHashMap<>();
    private final Set<String> made = new LinkedHashSet<>();
    private final Set<String> notMade = new LinkedHashSet<>();
    private final Set<String> notEvaluated = new LinkedHashSet<>();
    private final Set<String> evaluated = new LinkedHashSet<>();
    private Instant ingestedAt;
    private boolean ingested;
    private String rejected;
    private RunReported.Status reported;

    /** Takes one event of the run; events of other runs must be filtered out by the caller. */
    void accept(VerdantEvent event, Instant at) {
        if (event instanceof ModelIngested e) {
            ingested = true;
            ingestedAt = ingestedAt == null ? at : ingestedAt;
            for (PlannedStep step : e.plan()) {
                planned.computeIfAbsent(step.technique(), t -> new LinkedHashSet<>()).add(step.variantId());
                techniqueOf.put(step.variantId(), step.technique());
            }
        } else if (event instanceof ModelRejected e) {
            rejected = e.reason() + "";
        } else if (event instanceof VariantCreated e) {
            made.add(e.variantId());
        } else if (event instanceof VariantFailed e) {
            (e.stage() == VariantFailed.Stage.MAKE ? notMade : notEvaluated).add(e.variantId());
        } else if (event instanceof VariantEvaluated e) {
            evaluated.add(e.variantId());
        } else if (event instanceof RunReported e) {
            reported = e.status();
        }
    }

    boolean started() {
        return ingested || rejected != null;
    }

    /** The bars, one line per stage, e.g. {@code quantize  [############------------] 2/3  running 0m41s}. */
    List<String> lines(Instant now) {
        List<String> lines = new ArrayList<>();
        if (rejected != null) {
            lines.add(String.format(Locale.ROOT, "  %-9s rejected (%s)", "ingest", rejected));
            return lines;
        }
        lines.add(bar("ingest", ingested ? 1 : 0, 1, 0, ingested ? "" : "waiting for the model"));
        for (Technique technique : TECHNIQUES) {
            Set<String> ids = planned.getOrDefault(technique, Set.of());
            if (ids.isEmpty()) {
                continue;
            }
            int done = (int) ids.stream().filter(made::contains).count();
            int lost = (int) ids.stream().filter(id -> notMade.contains(id) && !made.contains(id)).count();
            lines.add(bar(technique.wireName(), done, ids.size(), lost, done + lost < ids.size() && ingested
                    ? "running " + elapsed(now) : ""));
        }
        // every planned variant and the original are evaluated, except variants that were never made
        int toEvaluate = techniqueOf.size() + 1 - (int) notMade.stream().filter(id -> !made.contains(id)).count();
        int done = evaluated.size();
        int lost = (int) notEvaluated.stream().filter(id -> !evaluated.contains(id)).count();
        lines.add(bar("evaluate", done, Math.max(toEvaluate, done + lost), lost, ""));
        lines.add(String.format(Locale.ROOT, "  %-9s %s", "verdict", reported != null
                ? reported.wireName() : ingested ? "waiting (" + elapsed(now) + " since ingest)" : "waiting"));
        return lines;
    }

    private static String bar(String stage, int done, int total, int failures, String note) {
        int filled = total == 0 ? BAR : (int) Math.round(BAR * (double) (done + failures) / total);
        String cells = "#".repeat(Math.min(BAR, filled)) + "-".repeat(Math.max(0, BAR - filled));
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "  %-9s [%s] %d/%d", stage, cells, done, total));
        if (failures > 0) {
            line.append(", ").append(failures).append(" failed");
        }
        if (!note.isEmpty()) {
            line.append("  ").append(note);
        }
        return line.toString();
    }

    private String elapsed(Instant now) {
        Duration d = Duration.between(ingestedAt == null ? now : ingestedAt, now);
        long s = Math.max(0, d.toSeconds());
        return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
}
