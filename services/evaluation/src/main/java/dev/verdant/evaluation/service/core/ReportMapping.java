package dev.verdant.evaluation.service.core;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.verdant.carbon.CpuPower;
import dev.verdant.evaluation.EvaluationReport;
import dev.verdant.events.Artifact;
import dev.verdant.events.EventJson;
import dev.verdant.events.Usage;
import dev.verdant.events.VariantEvaluated;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** Maps the evaluation core's report onto the VariantEvaluated event. Pure; no I/O. */
public final class ReportMapping {

    private ReportMapping() {
    }

    /**
     * @param artifact the evaluated model as stored in the bucket (the report only knows the local file)
     * @param cpuPower the host's CPU power model (libs/carbon): energy per 1,000 inferences is
     *                 {@code cpuPower.joules(cpuSecondsPer1k)}, i.e. TDP / logical CPUs x CPU seconds
     *                 (CodeCarbon's model), tagged with {@code cpuPower.source()}. It is the CPU
     *                 share only, a model even where RAPL measures the job itself: the per-1k figure
     *                 comes from timed runs, not from a meter read around them.
     */
    public static VariantEvaluated toEvent(String runId, String modelSha256, String variantId, Artifact artifact,
            EvaluationReport report, CpuPower cpuPower, Instant evaluatedAt) {
        EvaluationReport.Quality q = report.quality();
        VariantEvaluated.Quality quality = new VariantEvaluated.Quality(q.task(), "spearman", q.spearman(), q.pairs(),
                q.dataset(), q.datasetSha256());
        EvaluationReport.Fidelity f = report.fidelity();
        VariantEvaluated.Fidelity fidelity = f == null ? null
                : new VariantEvaluated.Fidelity(f.meanCosine(), f.minCosine(), f.mse(), null);
        VariantEvaluated.Latency latency = new VariantEvaluated.Latency(
                new VariantEvaluated.Percentiles(report.latency().batch1().p50Ms(), report.latency().batch1().p95Ms()),
                new VariantEvaluated.Percentiles(report.latency().batch32().p50Ms(),
                        report.latency().batch32().p95Ms()));
        EvaluationReport.Usage u = report.usage();
        Usage usagePer1k = new Usage(u.cpuSecondsPer1k(), u.wallSecondsPer1k(), cpuPower.joules(u.cpuSecondsPer1k()),
                cpuPower.source());
        return new VariantEvaluated(runId, modelSha256, variantId, artifact, report.sizeBytes(), report.parameters(),
                quality, fidelity, latency, new VariantEvaluated.Throughput(report.throughput().sentencesPerSecond()),
                report.peakMemory().bytes(), usagePer1k, settings(report.settings()), evaluatedAt);
    }

    /** Every setting of the report, by its field name; absent values are left out. */
    static Map<String, Object> settings(EvaluationReport.Settings settings) {
        Map<String, Object> all = EventJson.mapper().convertValue(settings, new TypeReference<Map<String, Object>>() {
        });
        Map<String, Object> present = new LinkedHashMap<>();
        all.forEach((k, v) -> {
            if (v != null) {
                present.put(k, v);
            }
        });
        return present;
    }
}
