package dev.verdant.infra;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;

/**
 * The classpath of a server, as written by the server's carrier module (infra/kafka-server,
 * infra/s3-server) into {@code META-INF/verdant/<name>.classpath}: absolute paths into the local
 * Maven repository. The carrier's jars are deliberately not on this JVM's classpath, only that
 * resource and the server's logging configuration.
 */
final class ServerClasspath {

    private static final String RESOURCE_DIR = "META-INF/verdant/";

    private final String name;
    private final String classpath;

    private ServerClasspath(String name, String classpath) {
        this.name = name;
        this.classpath = classpath;
    }

    /** @param name {@code kafka-server} or {@code s3-server} */
    static ServerClasspath load(String name) {
        String resource = RESOURCE_DIR + name + ".classpath";
        String text;
        try (InputStream in = open(resource)) {
            if (in == null) {
                throw new LocalInfrastructureException(resource + " is not on the classpath: depend on"
                        + " dev.verdant:verdant-" + name + " (with a wildcard exclusion of its dependencies)");
            }
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
        List<String> entries = Arrays.stream(text.split(File.pathSeparator)).filter(s -> !s.isBlank()).toList();
        if (entries.isEmpty()) {
            throw new LocalInfrastructureException(resource + " is empty: rebuild infra/" + name);
        }
        List<String> missing = entries.stream().filter(entry -> !Files.isRegularFile(Path.of(entry))).toList();
        if (!missing.isEmpty()) {
            // The paths were resolved by the Maven build that produced the carrier jar; a cleaned
            // local repository or a jar built on another machine lands here.
            throw new LocalInfrastructureException("the " + name + " classpath names " + missing.size() + " of "
                    + entries.size() + " jars that do not exist on this machine (first: " + missing.get(0)
                    + "); rebuild it so Maven downloads them: ./mvnw -pl infra/" + name + " install");
        }
        return new ServerClasspath(name, String.join(File.pathSeparator, entries));
    }

    String classpath() {
        return classpath;
    }

    /**
     * Copies a resource shipped by the carrier (a logging configuration) to {@code target},
     * overwriting it, so every start uses the configuration of the code that starts it.
     */
    Path copyResource(String resourceName, Path target) {
        String resource = RESOURCE_DIR + resourceName;
        try (InputStream in = open(resource)) {
            if (in == null) {
                throw new LocalInfrastructureException(resource + " is missing from verdant-" + name);
            }
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target, e);
        }
    }

    private static InputStream open(String resource) {
        ClassLoader loader = ServerClasspath.class.getClassLoader();
        InputStream in = loader == null ? null : loader.getResourceAsStream(resource);
        if (in == null && Thread.currentThread().getContextClassLoader() != null) {
            in = Thread.currentThread().getContextClassLoader().getResourceAsStream(resource);
        }
        return in;
    }
}
