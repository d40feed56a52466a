package dev.verdant.carbon.service.core;

import dev.verdant.events.RunReported;
import java.util.ArrayList;
import java.util.List;

/**
 * The rows no other row beats on every axis at once: quality (higher is better), gCO2e per 1,000
 * inferences and latency at batch 32, p50 (lower is better). Row b dominates a when b is at least as
 * good on all three and strictly better on one; the front is every row nothing dominates, in row order.
 */
public final class ParetoFront {
    private ParetoFront() {
    }

    public static List<String> of(List<RunReported.Row> rows) {
        List<String> front = new ArrayList<>();
        for (RunReported.Row a : rows) {
            boolean dominated = false;
            for (RunReported.Row b : rows) {
                if (b != a && dominates(b, a)) {
                    dominated = true;
                    break;
                }
            }
            if (!dominated) {
                front.add(a.variantId());
            }
        }
        return front;
    }

    static boolean dominates(RunReported.Row b, RunReported.Row a) {
        boolean noWorse = b.quality() >= a.quality() && b.emissionsGPer1k() <= a.emissionsGPer1k()
                && b.latencyBatch32P50Ms() <= a.latencyBatch32P50Ms();
        boolean better = b.quality() > a.quality() || b.emissionsGPer1k() < a.emissionsGPer1k()
                || b.latencyBatch32P50Ms() < a.latencyBatch32P50Ms();
        return noWorse && better;
    }
}
