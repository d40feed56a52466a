package dev.verdant.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.verdant.events.EventJson;
import dev.verdant.events.ModelIngested;
import dev.verdant.events.RunReported;
import dev.verdant.events.VariantCreated;
import dev.verdant.events.VariantEvaluated;
import dev.verdant.events.VariantFailed;
import dev.verdant.events.VerdantEvent;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The progress bars of a run, fed with the golden examples of schemas/ (the default recipe's plan:
 * int8-dynamic, int8-static and student-int8 quantized, ffn-pruned and low-rank pruned, student distilled).
 */
class RunProgressTest {
    private static final Instant T0 = Instant.parse("2026-11-29T10:00:00Z");

    private static <T extends VerdantEvent> T example(String name, Class<T> type, String variantId) throws IOException {
        try (InputStream in = RunProgressTest.class.getClassLoader().getResourceAsStream("schemas/examples/" + name + ".json")) {
            ObjectNode tree = (ObjectNode) EventJson.readTree(in.readAllBytes());
            if (variantId != null) {
                tree.put("variantId", variantId);
            }
            return EventJson.mapper().treeToValue(tree, type);
        }
    }

    private static String line(List<String> lines, String stage) {
        return lines.stream().filter(l -> l.trim().startsWith(stage + " ")).findFirst()
                .orElseThrow(() -> new AssertionError("no line for " + stage + " in " + lines));
    }

    @Test
    void countsWhatIsMadeAndEvaluatedPerStage() throws IOException {
        RunProgress progress = new RunProgress();
        assertFalse(progress.started());
        progress.accept(example("model-ingested", ModelIngested.class, null), T0);
        assertTrue(progress.started());
        progress.accept(example("variant-created", VariantCreated.class, "int8-dynamic"), T0.plusSeconds(10));
        progress.accept(example("variant-created", VariantCreated.class, "int8-dynamic"), T0.plusSeconds(11)); // redelivered
        progress.accept(example("variant-created", VariantCreated.class, "ffn-pruned"), T0.plusSeconds(12));
        progress.accept(example("variant-evaluated", VariantEvaluated.class, "original"), T0.plusSeconds(20));
        progress.accept(example("variant-evaluated", VariantEvaluated.class, "int8-dynamic"), T0.plusSeconds(30));

        List<String> lines = progress.lines(T0.plusSeconds(125));
        assertEquals("  ingest    [########################] 1/1", line(lines, "ingest"));
        assertEquals("  quantize  [########----------------] 1/3  running 2m05s", line(lines, "quantize"));
        assertEquals("  prune     [############------------] 1/2  running 2m05s", line(lines, "prune"));
        assertEquals("  distill   [------------------------] 0/1  running 2m05s", line(lines, "distill"));
        assertEquals("  evaluate  [#######-----------------] 2/7", line(lines, "evaluate"));
        assertTrue(line(lines, "verdict").contains("waiting (2m05s since ingest)"), lines.toString());
    }

    @Test
    void aVariantThatCannotBeMadeIsCountedAsFailedAndNotWaitedForInEvaluation() throws IOException {
        RunProgress progress = new RunProgress();
        progress.accept(example("model-ingested", ModelIngested.class, null), T0);
        progress.accept(example("variant-created", VariantCreated.class, "ffn-pruned"), T0);
        progress.accept(example("variant-failed", VariantFailed.class, "low-rank"), T0); // stage make
        List<String> lines = progress.lines(T0);
        assertEquals("  prune     [########################] 1/2, 1 failed", line(lines, "prune"));
        assertTrue(line(lines, "evaluate").endsWith(" 0/6"), lines.toString());
    }

    @Test
    void theBarsAreErasedBeforeALineAndDrawnAgainBelowIt() throws IOException {
        java.io.StringWriter text = new java.io.StringWriter();
        ProgressBars bars = new ProgressBars(new java.io.PrintWriter(text));
        bars.draw(T0);
        assertEquals("", text.toString(), "nothing to draw before the run's first event");
        bars.accept(example("model-ingested", ModelIngested.class, null), T0);
        bars.draw(T0);
        String first = text.toString();
        assertTrue(first.startsWith("  ingest    [####"), first);
        long barLines = first.lines().count();
        assertEquals(6, barLines, first); // ingest, quantize, prune, distill, evaluate, verdict
        bars.erase();
        assertEquals(first + "\033[6A\r\033[J", text.toString());
        bars.erase();
        assertEquals(first + "\033[6A\r\033[J", text.toString(), "erasing twice must not move up again");
        bars.tick(T0.plusMillis(500));
        assertEquals(first + "\033[6A\r\033[J", text.toString(), "no redraw within a second");
        bars.tick(T0.plusSeconds(2));
        assertTrue(text.toString().endsWith("waiting (0m02s since ingest)" + System.lineSeparator()), text.toString());
    }

    @Test
    void theVerdictEndsIt() throws IOException {
        RunProgress progress = new RunProgress();
        progress.accept(example("model-ingested", ModelIngested.class, null), T0);
        progress.accept(example("run-reported", RunReported.class, null), T0.plusSeconds(600));
        assertEquals("  verdict   partial", line(progress.lines(T0.plusSeconds(601)), "verdict")); // the example is a partial run
    }
}
