package dev.verdant.deploy;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the deployment files are checked against, read from the repository itself: the service
 * catalog of the CLI (names, ports, heaps) and each service's own configuration (the properties
 * it reads, its Kafka channels and consumer groups).
 */
final class Repo {

    static final Path ROOT = findRoot();

    /** One entry of cli/.../ServiceCatalog.java. */
    record Service(String name, String module, int port, String maxHeap) {
    }

    /** An incoming Kafka channel of a service: the topic and the consumer group it reads with. */
    record Consumer(String topic, String group) {
    }

    private static final Pattern SERVICE = Pattern.compile(
            "new Service\\(\"([a-z-]+)\",\\s*\"([^\"]+)\",\\s*(\\d+),\\s*\"([0-9]+[mg])\"\\)");

    private Repo() {
    }

    private static Path findRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null) {
            if (Files.isRegularFile(dir.resolve("docker-compose.yml")) && Files.isDirectory(dir.resolve("k8s"))) {
                return dir;
            }
            dir = dir.getParent();
        }
        throw new IllegalStateException("repository root (with docker-compose.yml and k8s/) not found above "
                + Path.of("").toAbsolutePath());
    }

    /**
     * The services as the CLI runs them. ServiceCatalog is package-private in the CLI module, so it
     * is read from its source; every {@code new Service(} must be understood, or this fails.
     */
    static List<Service> services() {
        Path source = ROOT.resolve("cli/src/main/java/dev/verdant/cli/ServiceCatalog.java");
        String text = read(source);
        List<Service> out = new ArrayList<>();
        Matcher m = SERVICE.matcher(text);
        while (m.find()) {
            out.add(new Service(m.group(1), m.group(2), Integer.parseInt(m.group(3)), m.group(4)));
        }
        int declared = text.split("new Service\\(", -1).length - 1;
        if (out.isEmpty() || out.size() != declared) {
            throw new IllegalStateException(source + ": understood " + out.size() + " of " + declared
                    + " 'new Service(' entries; update Repo.SERVICE to the catalog's current form");
        }
        return out;
    }

    /** Heap size such as "384m" or "1g" in MiB. */
    static long heapMiB(String heap) {
        long n = Long.parseLong(heap.substring(0, heap.length() - 1));
        char unit = Character.toLowerCase(heap.charAt(heap.length() - 1));
        if (unit == 'g') {
            return n * 1024;
        }
        if (unit == 'm') {
            return n;
        }
        throw new IllegalArgumentException("heap '" + heap + "' is not <n>m or <n>g");
    }

    /**
     * The service's effective configuration sources: its application.properties and, for the
     * technique services (verdant.technique.service set), the shared
     * libs/technique-service/.../microprofile-config.properties, with ${verdant.technique.service}
     * expanded. Profile-prefixed keys (%test.) are dropped.
     */
    static Map<String, String> config(Service s) {
        Map<String, String> props = new LinkedHashMap<>();
        Properties app = load(ROOT.resolve(s.module()).resolve("src/main/resources/application.properties"));
        String technique = app.getProperty("verdant.technique.service");
        if (technique != null) {
            Properties shared = load(ROOT.resolve("libs/technique-service/src/main/resources/META-INF/microprofile-config.properties"));
            shared.stringPropertyNames().forEach(k -> props.put(k, shared.getProperty(k)));
        }
        app.stringPropertyNames().forEach(k -> props.put(k, app.getProperty(k)));
        Map<String, String> out = new LinkedHashMap<>();
        props.forEach((k, v) -> {
            if (!k.startsWith("%")) {
                out.put(k, technique == null ? v : v.replace("${verdant.technique.service}", technique));
            }
        });
        return out;
    }

    /** Incoming Kafka channels: (topic, group.id) of every mp.messaging.incoming.*.topic. */
    static Set<Consumer> consumers(Service s) {
        Map<String, String> config = config(s);
        Set<Consumer> out = new LinkedHashSet<>();
        Pattern topic = Pattern.compile("mp\\.messaging\\.incoming\\.([^.]+)\\.topic");
        config.forEach((k, v) -> {
            Matcher m = topic.matcher(k);
            if (m.matches()) {
                String group = config.get("mp.messaging.incoming." + m.group(1) + ".group.id");
                if (group == null) {
                    throw new IllegalStateException(s.name() + ": channel " + m.group(1) + " has no group.id");
                }
                out.add(new Consumer(v, group));
            }
        });
        return out;
    }

    /**
     * Environment variable names the service's configuration answers to, by MicroProfile Config's
     * rule (every character that is not a letter or digit becomes '_', then upper case):
     * kafka.bootstrap.servers is KAFKA_BOOTSTRAP_SERVERS, verdant.s3.access-key is
     * VERDANT_S3_ACCESS_KEY. Add the variables a value reads by name ({@code ${VERDANT_OTEL_ENDPOINT:...}}).
     * A deployment variable outside this set configures nothing.
     */
    static Set<String> envNames(Service s) {
        Set<String> out = new LinkedHashSet<>();
        config(s).forEach((k, v) -> {
            out.add(envName(k));
            Matcher read = VARIABLE_READ.matcher(v);
            while (read.find()) {
                out.add(read.group(1));
            }
        });
        return out;
    }

    /** A property expression reading an environment variable by its own name: ${NAME} or ${NAME:default}. */
    private static final Pattern VARIABLE_READ = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)[:}]");

    static String envName(String property) {
        return property.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT);
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static Properties load(Path file) {
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file)) {
            p.load(in);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return p;
    }
}
