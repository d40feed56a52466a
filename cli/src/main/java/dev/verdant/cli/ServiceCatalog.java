package dev.verdant.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Verdant's services as {@code verdant up} runs them: one JVM each, its own HTTP port (health on
 * /q/health), its heap capped. A service whose build output is missing is reported, not skipped
 * silently.
 */
record ServiceCatalog(Path home) {

    /** @param port HTTP port for health and metrics */
    record Service(String name, String module, int port, String maxHeap) {
        Path jar(Path home) {
            return home.resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
        }
    }

    static final List<Service> SERVICES = List.of(
            new Service("ingest", "services/ingest", 8081, "384m"),
            new Service("evaluation", "services/evaluation", 8082, "768m"),
            new Service("quantization", "services/quantization", 8083, "1g"),
            new Service("pruning", "services/pruning", 8084, "1g"),
            new Service("distillation", "services/distillation", 8085, "1g"),
            new Service("carbon", "services/carbon", 8086, "256m"));

    List<Service> built() {
        return SERVICES.stream().filter(s -> Files.isRegularFile(s.jar(home))).toList();
    }

    List<Service> missing() {
        return SERVICES.stream().filter(s -> !Files.isRegularFile(s.jar(home))).toList();
    }
}
