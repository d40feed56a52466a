package dev.verdant.evaluation;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Timings of several models on a shared, noisy machine: every model is evaluated once per round,
 * the models in a rotated order each round (round r starts with model r mod n), so that a burst of
 * load from elsewhere hits different models in different rounds rather than always the same one.
 * Compare models by the median over rounds, or by ratios taken within a round.
 */
public final class InterleavedRounds {

    /** One model to time, under a label the results are keyed by. */
    public record Model(String label, Path file) {
    }

    private InterleavedRounds() {
    }

    /**
     * @param request   the request every model is evaluated with (its model is replaced; no baseline is used)
     * @param onEach    told of each evaluation as it ends (label, report): progress lines
     * @return per label, its reports in round order
     * @throws IllegalStateException naming the model and the failure when an evaluation fails
     */
    public static Map<String, List<EvaluationReport>> run(Evaluator evaluator, List<Model> models, EvaluationRequest request,
            int rounds, BiConsumer<String, EvaluationReport> onEach) {
        Map<String, List<EvaluationReport>> reports = new LinkedHashMap<>();
        models.forEach(m -> reports.put(m.label(), new ArrayList<>()));
        for (int round = 0; round < rounds; round++) {
            for (int k = 0; k < models.size(); k++) {
                Model model = models.get((k + round) % models.size());
                EvaluationRequest each = new EvaluationRequest(model.file(), request.tokenizer(), java.util.Optional.empty(),
                        request.dataset(), request.maxPairs(), request.threads(), request.maxSequenceLength(),
                        request.latency());
                EvaluationReport report = evaluated(evaluator.evaluate(each), model.label());
                reports.get(model.label()).add(report);
                onEach.accept(model.label(), report);
            }
        }
        return reports;
    }

    /** The report of an evaluation that succeeded; a failure becomes an exception naming the model. */
    public static EvaluationReport evaluated(EvaluationOutcome outcome, String label) {
        if (outcome instanceof EvaluationOutcome.Failed failed) {
            throw new IllegalStateException(label + ": " + failed.reason() + ": " + failed.message());
        }
        return ((EvaluationOutcome.Evaluated) outcome).report();
    }
}
