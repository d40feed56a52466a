package dev.verdant.carbon.service.core;

import dev.verdant.events.CarbonLedgerEntry;
import dev.verdant.events.JobUsage;
import dev.verdant.events.ModelIngested;
import dev.verdant.events.VariantEvaluated;
import dev.verdant.events.VariantFailed;
import java.util.List;
import java.util.Map;

/**
 * Everything the carbon service received for one run.
 *
 * @param usage by job id
 * @param ledger by job id, the priced usage
 * @param refused sentences on usage that could not be priced
 */
public record RunFacts(ModelIngested plan, Map<String, VariantEvaluated> evaluated, Map<String, VariantFailed> failed,
        Map<String, JobUsage> usage, Map<String, CarbonLedgerEntry> ledger, List<String> refused) {

    public RunFacts {
        evaluated = Map.copyOf(evaluated);
        failed = Map.copyOf(failed);
        usage = Map.copyOf(usage);
        ledger = Map.copyOf(ledger);
        refused = List.copyOf(refused);
    }

    /** The models the run must account for: the original, then every planned variant, in plan order. */
    public List<String> expectedModels() {
        java.util.List<String> ids = new java.util.ArrayList<>();
        ids.add(VerdictBuilder.ORIGINAL);
        plan.plan().forEach(step -> ids.add(step.variantId()));
        return ids;
    }

    /** Every expected model has an evaluation or a failure. */
    public boolean allModelsAccountedFor() {
        return expectedModels().stream().allMatch(id -> evaluated.containsKey(id) || failed.containsKey(id));
    }

    /** Evaluate jobs whose usage has not come in (each evaluation emits it right after its result). */
    public List<String> evaluateUsageNotReceived() {
        return expectedModels().stream()
                .filter(id -> evaluated.containsKey(id) || (failed.containsKey(id)
                        && failed.get(id).stage() == VariantFailed.Stage.EVALUATE))
                .map(id -> JobUsage.jobId(plan.runId(), JobUsage.Kind.EVALUATE, id))
                .filter(job -> !usage.containsKey(job) && !ledger.containsKey(job))
                .toList();
    }

    /** When the last model was evaluated or failed, by the producers' clocks; null when none was. */
    public java.time.Instant lastResultAt() {
        java.time.Instant last = null;
        for (VariantEvaluated e : evaluated.values()) {
            last = later(last, e.evaluatedAt());
        }
        for (VariantFailed f : failed.values()) {
            last = later(last, f.failedAt());
        }
        return last;
    }

    private static java.time.Instant later(java.time.Instant a, java.time.Instant b) {
        return a == null || (b != null && b.isAfter(a)) ? b : a;
    }
}
