package dev.verdant.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.verdant.events.RunReported;
import dev.verdant.events.Topics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One run of the chaos tests: a tiny BERT-shaped model made here (2 layers, hidden 32, vocabulary
 * 100; a seed per run, so each run has its own model and run id), its WordPiece tokenizer, and a
 * recipe with one fast variant of each technique and a chain, evaluated on 20 STS-B pairs.
 */
record ChaosRun(String name, Path model, Path tokenizer, Path recipe) {
    /** What the recipe plans, in plan order; the evaluation also measures the original. */
    static final List<String> VARIANTS = List.of("int8", "ffn", "student", "student-int8");
    static final String RECIPE = """
            apiVersion: verdant.dev/v1
            name: chaos
            task: sts
            variants:
              - name: int8
                technique: quantize
                params: { mode: dynamic-int8 }
              - name: ffn
                technique: prune
                params: { method: ffn, amount: 0.25 }
              - name: student
                technique: distill
                params: { layers: 1, steps: 6, batchSize: 8 }
              - name: student-int8
                technique: quantize
                from: student
                params: { mode: dynamic-int8 }
            quality:
              maxLoss: 1.0
            evaluation:
              split: test
              maxPairs: 20
              maxSequenceLength: 32
            carbon:
              region: FRA
              pue: 1.2
              inferencesPerDay: 100000
            """;

    /** The files of a run named {@code name} under the fleet's folder. */
    static ChaosRun tiny(ChaosFleet fleet, String name, long seed) {
        Path dir = fleet.dir.resolve("models").resolve(name);
        Path model;
        try {
            model = Models.tinyBert(100, seed).writeTo(dir.resolve("model.onnx"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path tokenizer = Models.wordPieceTokenizer(dir.resolve("tokenizer.json"), 100);
        Path recipe = Models.write(dir.resolve("recipe.yaml"), RECIPE);
        return new ChaosRun(name, model, tokenizer, recipe);
    }

    /** {@code verdant submit}: uploads to uploads/NAME/ (the model last); returns the run id it prints. */
    String submit(ChaosFleet fleet) {
        Cli.Result submit = fleet.cli().run("submit", model.toString(), "--tokenizer", tokenizer.toString(), "--recipe",
                recipe.toString(), "--name", name);
        assertThat(submit.exitCode()).as(submit.describe()).isZero();
        assertThat(submit.runId()).as("submit prints the run id: " + submit.out()).isNotNull();
        return submit.runId();
    }

    /** Job ids the run's ledger must hold, each once: ingest, one per variant made, one per model evaluated. */
    static List<String> expectedJobs(String runId) {
        return List.of(runId + ":ingest", runId + ":quantize:int8", runId + ":prune:ffn", runId + ":distill:student",
                runId + ":quantize:student-int8", runId + ":evaluate:original", runId + ":evaluate:int8",
                runId + ":evaluate:ffn", runId + ":evaluate:student", runId + ":evaluate:student-int8");
    }

    /** Waits for the run's verdict on verdant.reports, reading the topic every 2 s. */
    static RunReported awaitReport(ChaosFleet fleet, String runId, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            Optional<RunReported> report = RunAudit.events(fleet, Topics.REPORTS, RunReported.class).stream()
                    .map(RunAudit.Event::event).filter(r -> runId.equals(r.runId())).findFirst();
            if (report.isPresent()) {
                return report.get();
            }
            Journeys.sleep(2_000);
        }
        throw new AssertionError("no run.reported for " + runId + " within " + timeout.toSeconds() + " s; logs in "
                + fleet.dir.resolve("logs"));
    }
}
