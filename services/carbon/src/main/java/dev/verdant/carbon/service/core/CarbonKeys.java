package dev.verdant.carbon.service.core;

import dev.verdant.events.BucketLayout;

/**
 * Where the carbon service keeps its state in the bucket.
 * <pre>
 * runs/&lt;runId&gt;/carbon/plan.json                 the run's ModelIngested (plan, recipe)
 * runs/&lt;runId&gt;/carbon/usage/&lt;jobId&gt;.json         each JobUsage received
 * runs/&lt;runId&gt;/carbon/ledger/&lt;jobId&gt;.json        its priced ledger entry
 * runs/&lt;runId&gt;/carbon/refused/&lt;jobId&gt;.json       usage that could not be priced, and why
 * runs/&lt;runId&gt;/carbon/evaluated/&lt;variantId&gt;.json  each VariantEvaluated (the original's too)
 * runs/&lt;runId&gt;/carbon/failed/&lt;variantId&gt;.json     each VariantFailed
 * runs/&lt;runId&gt;/carbon/claim.json                one instance is building the report
 * runs/&lt;runId&gt;/carbon/reported.json             the RunReported emitted (exactly-once marker)
 * system/carbon/open/&lt;runId&gt;.json                 runs not reported yet (what the sweep looks at)
 * system/carbon/parked/&lt;runId&gt;/&lt;fact&gt;.json       events of a run with no marker yet
 * </pre>
 * Ids become key segments through {@link #segment}: job ids hold colons.
 */
final class CarbonKeys {
    static final String SERVICE = "carbon";

    private CarbonKeys() {
    }

    static String carbon(String runId) {
        return BucketLayout.runPrefix(runId) + "carbon/";
    }

    static String plan(String runId) {
        return carbon(runId) + "plan.json";
    }

    static String usage(String runId, String jobId) {
        return carbon(runId) + "usage/" + segment(jobId) + ".json";
    }

    static String ledger(String runId, String jobId) {
        return carbon(runId) + "ledger/" + segment(jobId) + ".json";
    }

    static String refused(String runId, String jobId) {
        return carbon(runId) + "refused/" + segment(jobId) + ".json";
    }

    static String evaluated(String runId, String variantId) {
        return carbon(runId) + "evaluated/" + segment(variantId) + ".json";
    }

    static String failed(String runId, String variantId) {
        return carbon(runId) + "failed/" + segment(variantId) + ".json";
    }

    static String claim(String runId) {
        return carbon(runId) + "claim.json";
    }

    static String reported(String runId) {
        return carbon(runId) + "reported.json";
    }

    static String openPrefix() {
        return BucketLayout.serviceStateKey(SERVICE, "open/");
    }

    static String open(String runId) {
        return openPrefix() + segment(runId) + ".json";
    }

    static String parkedPrefix() {
        return BucketLayout.serviceStateKey(SERVICE, "parked/");
    }

    static String parked(String runId, String factId) {
        return parkedPrefix() + segment(runId) + "/" + segment(factId) + ".json";
    }

    /** An id as one key segment: letters, digits, '.', '-', '_' kept, anything else '_'. */
    static String segment(String id) {
        String s = id.replaceAll("[^A-Za-z0-9._-]", "_");
        return s.equals(".") || s.equals("..") ? "_" + s : s;
    }
}
