package dev.verdant.carbon.service.core;

import dev.verdant.carbon.CarbonPayback;
import dev.verdant.carbon.LedgerEntries;
import dev.verdant.carbon.SoftwareCarbonIntensity;
import dev.verdant.events.BucketLayout;
import dev.verdant.events.CarbonLedgerEntry;
import dev.verdant.events.PlannedStep;
import dev.verdant.events.RunReported;
import dev.verdant.events.Technique;
import dev.verdant.events.VariantEvaluated;
import dev.verdant.events.VariantFailed;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Turns a run's facts into its verdict. Per model (from its evaluation's usage per 1,000 inferences):
 * <pre>
 *   energyKwh/1k  = energyJoulesPer1k / 3.6e6 x PUE                      (at the plug)
 *   gCO2e/1k      = energyKwh/1k x I                                     (I: the region's gCO2e/kWh)
 *   M/1k          = TE x (wallSecondsPer1k / EL) x (busy CPUs / ToR),    busy CPUs = cpuSecondsPer1k / wallSecondsPer1k
 *   SCI/1k        = energyKwh/1k x I + M/1k                              (ISO/IEC 21031, R = 1,000 inferences)
 *   qualityLoss   = original's quality - the model's quality (points of the task metric)
 * </pre>
 * The recommendation is the lowest gCO2e/1k among the models within the recipe's quality budget
 * (qualityLoss &lt;= maxLoss; the original is within it by definition), ties to the higher quality.
 * Payback: the run's own footprint (every ledger entry: ingest, making, evaluating) divided by the
 * daily saving (original's g/inference - recommended's g/inference) x inferencesPerDay.
 */
public final class VerdictBuilder {
    public static final String ORIGINAL = PlannedStep.ORIGINAL;

    private VerdictBuilder() {
    }

    public static RunReported build(RunFacts facts, PricingContext ctx, CarbonSettings settings, boolean timedOut,
            Instant now) {
        String runId = facts.plan().runId();
        double maxLoss = facts.plan().recipe() == null || facts.plan().recipe().quality() == null ? 0
                : facts.plan().recipe().quality().maxLoss();
        List<String> notes = new ArrayList<>(ctx.notes());
        Map<String, PlannedStep> steps = new LinkedHashMap<>();
        facts.plan().plan().forEach(s -> steps.put(s.variantId(), s));
        VariantEvaluated original = facts.evaluated().get(ORIGINAL);

        List<RunReported.Row> rows = new ArrayList<>();
        for (String id : facts.expectedModels()) {
            VariantEvaluated e = facts.evaluated().get(id);
            if (e == null) {
                continue;
            }
            if (e.usagePer1k() == null || e.latency() == null || e.latency().batch32() == null) {
                notes.add("model " + id + " was evaluated without usage per 1,000 inferences or batch-32 latency:"
                        + " left out of the table");
                continue;
            }
            rows.add(row(e, steps.get(id), original, ctx, settings, maxLoss));
        }
        facts.evaluated().keySet().stream().filter(id -> !id.equals(ORIGINAL) && !steps.containsKey(id)).sorted()
                .forEach(id -> notes.add("model " + id + " was evaluated but is not in the run's plan: left out"));

        List<RunReported.Missing> missing = new ArrayList<>();
        for (String id : facts.expectedModels()) {
            if (facts.evaluated().containsKey(id)) {
                continue;
            }
            VariantFailed f = facts.failed().get(id);
            if (f != null) {
                missing.add(new RunReported.Missing(id, "failed to " + f.stage().wireName() + " (" + f.service() + "): "
                        + f.reason() + (f.message() == null || f.message().equals(f.reason()) ? "" : ": " + f.message())));
            } else {
                missing.add(new RunReported.Missing(id, String.format(Locale.ROOT,
                        "no evaluation or failure within %s of the run's ingestion (%s): timed out",
                        human(settings.runTimeout()), facts.plan().ingestedAt())));
            }
        }

        double energyKwh = 0;
        double emissionsG = 0;
        long measured = 0;
        for (CarbonLedgerEntry entry : facts.ledger().values()) {
            energyKwh += entry.energyKwh();
            emissionsG += entry.emissionsG();
            if (entry.energySource() != null && entry.energySource().measured()) {
                measured++;
            }
        }
        RunReported.Footprint footprint = new RunReported.Footprint(energyKwh, emissionsG);
        notes.add(String.format(Locale.ROOT, "footprint: %d job(s) in the ledger, %d measured (RAPL/NVML), %d estimated",
                facts.ledger().size(), measured, facts.ledger().size() - measured));
        facts.refused().forEach(r -> notes.add("usage not priced (left out of the footprint): " + r));
        List<String> late = facts.usageNotReceived();
        if (!late.isEmpty()) {
            notes.add("usage not received when the report was made (left out of the footprint): "
                    + String.join(", ", late));
        }
        if (rows.stream().anyMatch(r -> r.energySource() != null && !r.energySource().measured())) {
            notes.add("energy per 1,000 inferences is an estimate (the evaluation's CPU seconds x the host's TDP"
                    + " share, CodeCarbon's model), not a measurement");
        }

        RunReported.Recommendation recommendation = recommend(rows, original, maxLoss, footprint, ctx, notes);
        return new RunReported(runId, facts.plan().modelSha256(),
                missing.isEmpty() ? RunReported.Status.COMPLETE : RunReported.Status.PARTIAL, rows,
                ParetoFront.of(rows), recommendation, maxLoss, footprint, missing,
                new RunReported.Context(ctx.regionAsWritten() == null ? ctx.intensity().region() : ctx.regionAsWritten(),
                        ctx.intensity().gPerKwh(), ctx.intensity().source(), ctx.pue().value(), ctx.inferencesPerDay(),
                        settings.hardwareBasis()),
                notes, new RunReported.ReportKeys(BucketLayout.reportJsonKey(runId), BucketLayout.reportHtmlKey(runId),
                        BucketLayout.emissionsCsvKey(runId)), now);
    }

    static RunReported.Row row(VariantEvaluated e, PlannedStep step, VariantEvaluated original, PricingContext ctx,
            CarbonSettings settings, double maxLoss) {
        boolean isOriginal = ORIGINAL.equals(e.variantId());
        double joules = e.usagePer1k().energyJoules();
        double kwh = LedgerEntries.energyKwhAtPlug(joules, ctx.pue());
        double gPerKwh = ctx.intensity().gPerKwh();
        double emissions = LedgerEntries.emissionsG(kwh, gPerKwh);
        double sci = SoftwareCarbonIntensity.per1000Inferences(kwh, gPerKwh, embodiedPer1k(e, settings),
                SoftwareCarbonIntensity.FUNCTIONAL_UNIT_INFERENCES);
        Double loss = isOriginal ? Double.valueOf(0.0)
                : original == null ? null : original.quality().value() - e.quality().value();
        return new RunReported.Row(e.variantId(), isOriginal ? Technique.ORIGINAL : step.technique(),
                isOriginal ? null : step.input(), isOriginal ? null : step.parameters(), e.sizeBytes(), e.parameters(),
                e.quality().value(), loss, e.fidelity() == null ? null : e.fidelity().meanCosine(),
                e.latency().batch1() == null ? null : e.latency().batch1().p50Ms(), e.latency().batch32().p50Ms(),
                joules, e.usagePer1k().energySource(), emissions, sci,
                loss == null ? null : loss <= maxLoss + 1e-9);
    }

    /** M for 1,000 inferences: the server reserved for their wall time, as many CPUs as they kept busy. */
    static double embodiedPer1k(VariantEvaluated e, CarbonSettings settings) {
        double wall = e.usagePer1k().wallSeconds();
        double cpu = e.usagePer1k().cpuSeconds();
        if (!(wall > 0)) {
            return 0;
        }
        double busy = Math.min(settings.hardware().totalLogicalCpus(), Math.max(0, cpu / wall));
        return SoftwareCarbonIntensity.embodiedG(settings.hardware(), Duration.ofNanos(Math.round(wall * 1e9)), busy);
    }

    private static RunReported.Recommendation recommend(List<RunReported.Row> rows, VariantEvaluated original,
            double maxLoss, RunReported.Footprint footprint, PricingContext ctx, List<String> notes) {
        Optional<RunReported.Row> originalRow = rows.stream().filter(r -> r.variantId().equals(ORIGINAL)).findFirst();
        if (original == null || originalRow.isEmpty()) {
            notes.add("no recommendation: the original was not evaluated, so no variant's quality loss is known");
            return null;
        }
        RunReported.Row best = rows.stream().filter(r -> Boolean.TRUE.equals(r.withinBudget()))
                .min(Comparator.comparingDouble(RunReported.Row::emissionsGPer1k)
                        .thenComparing(Comparator.comparingDouble(RunReported.Row::quality).reversed())
                        .thenComparing(r -> r.variantId().equals(ORIGINAL) ? 0 : 1))
                .orElse(originalRow.get());
        String budget = plain(maxLoss);
        if (best.variantId().equals(ORIGINAL)) {
            long within = rows.stream().filter(r -> !r.variantId().equals(ORIGINAL)
                    && Boolean.TRUE.equals(r.withinBudget())).count();
            return new RunReported.Recommendation(ORIGINAL, within == 0
                    ? "keep the original: no variant stays within the " + budget + "-point quality budget"
                    : "keep the original: no variant within the " + budget + "-point budget emits less per 1,000"
                            + " inferences", null, null);
        }
        RunReported.Row base = originalRow.get();
        String reason = String.format(Locale.ROOT, "lowest gCO2e per 1,000 inferences within the %s-point budget"
                + " (loses %.2f; %.4g vs the original's %.4g gCO2e/1k)", budget, best.qualityLoss(),
                best.emissionsGPer1k(), base.emissionsGPer1k());
        CarbonPayback.Payback payback = CarbonPayback.of(footprint.emissionsG(), base.emissionsGPer1k() / 1000.0,
                best.emissionsGPer1k() / 1000.0, ctx.inferencesPerDay());
        if (payback instanceof CarbonPayback.PaysBack p) {
            return new RunReported.Recommendation(best.variantId(), reason, p.yearlySavedKg(), p.days());
        }
        return new RunReported.Recommendation(best.variantId(),
                reason + "; no payback: " + ((CarbonPayback.NeverPaysBack) payback).why(), null, null);
    }

    static String plain(double v) {
        return v == Math.rint(v) ? String.format(Locale.ROOT, "%.1f", v) : String.valueOf(v);
    }

    static String human(Duration d) {
        return d.toString().substring(2).toLowerCase(Locale.ROOT);
    }
}
