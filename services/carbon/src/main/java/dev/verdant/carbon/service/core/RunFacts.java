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

    /**
     * Jobs whose usage is expected and has not come in: ingest, the making of each evaluated variant,
     * and each evaluation (each service emits a job's usage right after its result, on another topic).
     */
    public List<String> usageNotReceived() {
        String runId = plan.runId();
        java.util.List<String> jobs = new java.util.ArrayList<>();
        jobs.add(JobUsage.jobId(runId, JobUsage.Kind.INGEST, null));
        for (String id : expectedModels()) {
            boolean evaluatedOrFailedEvaluating = evaluated.containsKey(id)
                    || (failed.containsKey(id) && failed.get(id).stage() == VariantFailed.Stage.EVALUATE);
            if (!evaluatedOrFailedEvaluating) {
                continue;
            }
            plan.plan().stream().filter(s -> s.variantId().equals(id)).findFirst()
                    .ifPresent(step -> jobs.add(JobUsage.jobId(runId, makeKind(step.technique()), id)));
            jobs.add(JobUsage.jobId(runId, JobUsage.Kind.EVALUATE, id));
        }
        return jobs.stream().filter(job -> !usage.containsKey(job) && !ledger.containsKey(job)).toList();
    }

    static JobUsage.Kind makeKind(dev.verdant.events.Technique technique) {
        switch (technique) {
            case QUANTIZE:
                return JobUsage.Kind.QUANTIZE;
            case PRUNE:
                return JobUsage.Kind.PRUNE;
            case DISTILL:
                return JobUsage.Kind.DISTILL;
            default:
                throw new IllegalArgumentException("no job makes the " + technique.wireName());
        }
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
