package dev.verdant.evaluation.service.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.verdant.carbon.CpuPower;
import dev.verdant.evaluation.EvaluationReport;
import dev.verdant.evaluation.LatencySettings;
import dev.verdant.evaluation.StsSplit;
import dev.verdant.events.Artifact;
import dev.verdant.events.EnergySource;
import dev.verdant.events.Schemas;
import dev.verdant.events.VariantEvaluated;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReportMappingTest {
    private static final String SHA = "6fd5d72fe4589f189f8ebc006442dbb529bb7ce38f8082112682524616046452";
    private static final String DATA_SHA = "75c745693e674dd0a4b0f1c2b8d3e6f7a9b1c3d5e7f9a1b3c5d7e9f1a3b5c7d9";
    private static final String RUN = "run-0a25de7515f1ebda49f5";
    /** 80 W over 8 logical CPUs: 10 W per busy CPU. */
    private static final CpuPower POWER = new CpuPower("Test CPU", 80.0, 8, EnergySource.ESTIMATED_TDP, "test table");

    private static EvaluationReport report(EvaluationReport.Fidelity fidelity, Long peak) {
        return new EvaluationReport("/tmp/x/model.onnx", SHA, 22_970_000L, 22_713_216L,
                new EvaluationReport.Quality("sts", 81.87, 1379, "stsb-test", DATA_SHA), fidelity,
                new EvaluationReport.Latency(new EvaluationReport.Timing(4.1, 5.3, 100),
                        new EvaluationReport.Timing(26.2, 31.0, 30)),
                new EvaluationReport.Throughput(1221.4), new EvaluationReport.Usage(1.64, 0.82, 960),
                new EvaluationReport.PeakMemory(peak, "VmHWM growth"),
                new EvaluationReport.Settings(2, 1, "ORT_ENABLE_ALL", 32, List.of(1, 32), 128, "longest in batch",
                        "stsb-test", DATA_SHA, 1379, 5, 100, 30, List.of("input_ids", "attention_mask"),
                        "last_hidden_state", "1.29.0", "0.36.0", "OnnxRuntime", null, List.of("avx2"), 2,
                        "OpenJDK 17", "Linux amd64"));
    }

    @Test
    void aVariantReportBecomesASchemaValidEventWithFidelityAndPricedUsage() {
        Artifact artifact = new Artifact("runs/" + RUN + "/variants/int8.onnx", 22_970_000L, SHA);
        VariantEvaluated e = ReportMapping.toEvent(RUN, SHA, "int8", artifact,
                report(new EvaluationReport.Fidelity(0.9926, 0.9711, 2.1e-4, "/tmp/x/original.onnx", 2758), 412_000_000L),
                POWER, Instant.parse("2026-11-28T12:00:00Z"));

        assertThat(Schemas.validate(e)).isEmpty();
        assertThat(e.artifact()).isEqualTo(artifact);
        assertThat(e.sizeBytes()).isEqualTo(22_970_000L);
        assertThat(e.parameters()).isEqualTo(22_713_216L);
        assertThat(e.quality()).isEqualTo(new VariantEvaluated.Quality("sts", "spearman", 81.87, 1379, "stsb-test",
                DATA_SHA));
        assertThat(e.fidelity()).isEqualTo(new VariantEvaluated.Fidelity(0.9926, 0.9711, 2.1e-4, null));
        assertThat(e.latency().batch1()).isEqualTo(new VariantEvaluated.Percentiles(4.1, 5.3));
        assertThat(e.latency().batch32()).isEqualTo(new VariantEvaluated.Percentiles(26.2, 31.0));
        assertThat(e.throughput().sentencesPerSecond()).isEqualTo(1221.4);
        assertThat(e.peakMemoryBytes()).isEqualTo(412_000_000L);
        assertThat(e.usagePer1k().cpuSeconds()).isEqualTo(1.64);
        assertThat(e.usagePer1k().wallSeconds()).isEqualTo(0.82);
        // E = TDP / logical CPUs x CPU seconds = 10 W x 1.64 s
        assertThat(e.usagePer1k().energyJoules()).isCloseTo(16.4, within(1e-9));
        assertThat(e.usagePer1k().energySource()).isEqualTo(EnergySource.ESTIMATED_TDP);
        assertThat(e.settings()).containsEntry("threads", 2).containsEntry("maxSequenceLength", 128)
                .containsEntry("onnxRuntimeVersion", "1.29.0").containsEntry("latencyBatchSizes", List.of(1, 32))
                .doesNotContainKey("cpuModel"); // absent values are left out
    }

    @Test
    void theOriginalHasNoFidelityAndMayHaveNoPeakMemory() {
        VariantEvaluated e = ReportMapping.toEvent(RUN, SHA, RunEvaluations.ORIGINAL,
                new Artifact("models/sha256/" + SHA + ".onnx", 1, SHA), report(null, null), POWER, Instant.now());
        assertThat(Schemas.validate(e)).isEmpty();
        assertThat(e.fidelity()).isNull();
        assertThat(e.peakMemoryBytes()).isNull();
    }

    @Test
    void theRecipeDecidesThePairsWithinTheServiceCap() {
        EvaluationSettings uncapped = new EvaluationSettings("verdant", 0, LatencySettings.quick(), 1, Path.of("/tmp"));
        EvaluationSettings capped = new EvaluationSettings("verdant", 20, LatencySettings.quick(), 1, Path.of("/tmp"));
        assertThat(uncapped.effectiveMaxPairs(null)).isZero();
        assertThat(uncapped.effectiveMaxPairs(100)).isEqualTo(100);
        assertThat(capped.effectiveMaxPairs(null)).isEqualTo(20);
        assertThat(capped.effectiveMaxPairs(100)).isEqualTo(20);
        assertThat(capped.effectiveMaxPairs(5)).isEqualTo(5);
    }

    @Test
    void recipeSplitsNameThePackagedSplits() {
        assertThat(RunEvaluations.split(null)).isEqualTo(StsSplit.TEST);
        assertThat(RunEvaluations.split("dev")).isEqualTo(StsSplit.DEV);
        assertThat(RunEvaluations.split("train")).isEqualTo(StsSplit.TRAIN);
        assertThat(RunEvaluations.evaluationKey(RUN, "int8")).isEqualTo("runs/" + RUN + "/evaluations/int8.json");
    }
}
