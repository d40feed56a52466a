package dev.verdant.pruning.service.core;

import dev.verdant.events.JobUsage;
import dev.verdant.events.Technique;
import dev.verdant.pruning.Pruner;
import dev.verdant.pruning.PruningOutcome;
import dev.verdant.pruning.PruningRequest;
import dev.verdant.variants.MakeRequest;
import dev.verdant.variants.MakeResult;
import dev.verdant.variants.VariantMaker;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A recipe's prune step: the pruning core (libs/pruning) with the step's params. */
public final class PruningMaker implements VariantMaker {
    private final Pruner pruner = new Pruner();

    @Override
    public Technique technique() {
        return Technique.PRUNE;
    }

    @Override
    public JobUsage.Kind jobKind() {
        return JobUsage.Kind.PRUNE;
    }

    @Override
    public void check(Map<String, Object> parameters) {
        PruningRequest.fromRecipeParams(parameters);
    }

    @Override
    public MakeResult make(MakeRequest request) throws IOException {
        PruningRequest pruning = PruningRequest.fromRecipeParams(request.parameters());
        PruningOutcome outcome = pruner.prune(request.input(), pruning);
        if (outcome instanceof PruningOutcome.Failed failed) {
            return new MakeResult.Failed(failed.reason().name(), failed.message());
        }
        PruningOutcome.Pruned pruned = (PruningOutcome.Pruned) outcome;
        Pruner.write(pruned, request.output());
        PruningOutcome.Report report = pruned.report();
        Map<String, Object> applied = new LinkedHashMap<>(request.parameters());
        applied.put("parametersBefore", report.parametersBefore());
        applied.put("parametersAfter", report.parametersAfter());
        List<String> notes = new ArrayList<>();
        notes.add(pruning.describe());
        notes.add(String.format(Locale.ROOT, "parameters %,d -> %,d; file %,d -> %,d bytes", report.parametersBefore(),
                report.parametersAfter(), report.bytesBefore(), report.bytesAfter()));
        notes.addAll(report.notes());
        return new MakeResult.Made(applied, notes);
    }
}
