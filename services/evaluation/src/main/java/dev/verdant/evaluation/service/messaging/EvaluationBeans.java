package dev.verdant.evaluation.service.messaging;

import dev.verdant.carbon.EnergyMeter;
import dev.verdant.carbon.HostInfo;
import dev.verdant.evaluation.EvaluationRequest;
import dev.verdant.evaluation.Evaluator;
import dev.verdant.evaluation.LatencySettings;
import dev.verdant.evaluation.service.core.EvaluationSettings;
import dev.verdant.evaluation.service.core.RunEvaluations;
import dev.verdant.messaging.StorageConfig;
import dev.verdant.store.ArtifactStore;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Locale;

/** Wires the framework-free core from configuration. */
@Singleton
class EvaluationBeans {

    @Produces
    @Singleton
    ArtifactStore artifactStore(EvaluationConfig config) {
        return StorageConfig.openStore(config.s3());
    }

    void close(@Disposes ArtifactStore store) {
        store.close();
    }

    static LatencySettings latency(String name) {
        return switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "quick" -> LatencySettings.quick();
            case "standard" -> LatencySettings.standard();
            default -> throw new IllegalArgumentException(
                    "verdant.evaluation.latency must be quick or standard, not " + name);
        };
    }

    @Produces
    @Singleton
    RunEvaluations runEvaluations(ArtifactStore store, EnergyMeter meter, EvaluationConfig config) {
        EvaluationConfig.Evaluation e = config.evaluation();
        Path workDir = Path.of(e.workDir().orElse(System.getProperty("java.io.tmpdir"))).resolve("verdant-evaluation");
        return new RunEvaluations(store, new Evaluator(), meter, new EvaluationSettings(config.s3().bucket(),
                e.maxPairs(), latency(e.latency()), e.threads().orElse(EvaluationRequest.defaultThreads()), workDir),
                Clock.systemUTC());
    }

    /** One meter per JVM: it reads the host's CPU model, TDP table and RAPL availability once. */
    @Produces
    @Singleton
    EnergyMeter energyMeter() {
        return EnergyMeter.forThisHost();
    }

    @Produces
    @Singleton
    HostInfo hostInfo() {
        return HostInfo.detect();
    }
}
