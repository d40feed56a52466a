package dev.verdant.cli;

import dev.verdant.events.CarbonLedgerEntry;
import dev.verdant.events.JobUsage;
import dev.verdant.events.ModelIngested;
import dev.verdant.events.ModelRejected;
import dev.verdant.events.RunReported;
import dev.verdant.events.UploadDetected;
import dev.verdant.events.VariantCreated;
import dev.verdant.events.VariantEvaluated;
import dev.verdant.events.VariantFailed;
import dev.verdant.events.VerdantEvent;
import java.util.Locale;

/** One readable line per event, for a person following a run in a terminal. */
final class EventLines {
    private EventLines() {
    }

    static String describe(VerdantEvent event) {
        if (event instanceof UploadDetected e) {
            return "upload detected      " + safe(e.upload().key()) + " (" + e.upload().trigger().wireName() + ")";
        }
        if (event instanceof ModelIngested e) {
            ModelIngested.Architecture a = e.architecture();
            return String.format(Locale.ROOT, "model ingested       %s  %s: %s, %d layers, hidden %d, %d heads, FFN %d,"
                    + " vocabulary %d, %.1fM parameters; %d variants planned (%s recipe)", e.runId(),
                    safe(e.upload().key()), a.family(), a.layers(), a.hiddenSize(), a.attentionHeads(), a.ffnSize(),
                    a.vocabularySize(), e.graph().parameters() / 1e6, e.plan().size(), e.recipeSource().wireName());
        }
        if (event instanceof ModelRejected e) {
            return "model REJECTED       " + (e.runId() == null ? "" : e.runId() + "  ") + safe(e.upload().key())
                    + ": " + e.reason() + ": " + safe(e.message());
        }
        if (event instanceof VariantCreated e) {
            return String.format(Locale.ROOT, "variant created      %s  %s (%s from %s): %.1f MB in %.1f s",
                    e.runId(), e.variantId(), e.technique().wireName(), e.input(), e.artifact().sizeBytes() / 1e6,
                    e.usage().wallSeconds());
        }
        if (event instanceof VariantFailed e) {
            return "variant FAILED       " + e.runId() + "  " + e.variantId() + " (" + e.stage().wireName() + "): "
                    + e.reason() + ": " + safe(e.message());
        }
        if (event instanceof VariantEvaluated e) {
            return String.format(Locale.ROOT, "variant evaluated    %s  %s: %s %.2f, batch-32 p50 %.1f ms, %.1f MB%s",
                    e.runId(), e.variantId(), e.quality().metric(), e.quality().value(), e.latency().batch32().p50Ms(),
                    e.sizeBytes() / 1e6, e.fidelity() == null ? ""
                            : String.format(Locale.ROOT, ", mean cosine %.4f", e.fidelity().meanCosine()));
        }
        if (event instanceof JobUsage e) {
            return String.format(Locale.ROOT, "job usage            %s  %s: cpu %.1f s, wall %.1f s, %.0f J (%s)",
                    e.runId(), e.jobId(), e.usage().cpuSeconds(), e.usage().wallSeconds(), e.usage().energyJoules(),
                    e.usage().energySource().wireName());
        }
        if (event instanceof CarbonLedgerEntry e) {
            return String.format(Locale.ROOT, "carbon ledger        %s  %s: %.6f kWh x %.0f g/kWh (%s) = %.3f gCO2e",
                    e.runId(), e.jobId(), e.energyKwh(), e.carbonIntensityGPerKwh(), e.region(), e.emissionsG());
        }
        if (event instanceof RunReported e) {
            return "RUN REPORTED         " + e.runId() + "  " + e.status().wireName() + ", " + e.variants().size()
                    + " variants, recommended: " + (e.recommendation() == null ? "none"
                            : e.recommendation().variantId() + " (" + e.recommendation().reason() + ")")
                    + "; report: " + e.reportKeys().html();
        }
        return event.toString();
    }

    /** Keys and messages can come from users: never let them put control characters on a terminal. */
    static String safe(String text) {
        return text == null ? "" : text.replaceAll("\\p{Cntrl}", "?");
    }
}
