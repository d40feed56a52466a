package dev.verdant.deploy;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * A small kustomize renderer for exactly the features Verdant's k8s/ uses, so the manifests can be
 * checked where no kubectl is installed. Supported kustomization fields: {@code resources} (files
 * and directories with their own kustomization), {@code namespace}, {@code images},
 * {@code replicas}, {@code patches} (strategic merge, optionally with a {@code target} by group,
 * version, kind, name), {@code secretGenerator} with literals, {@code generatorOptions} with
 * {@code disableNameSuffixHash: true}. Anything else is refused with its name, never ignored: a
 * manifest that starts using another feature fails here until the renderer learns it.
 * {@link RendererMatchesKubectlTest} compares the result with the real {@code kubectl kustomize}
 * wherever kubectl is installed.
 */
final class Kustomize {

    private static final Set<String> SUPPORTED = Set.of("apiVersion", "kind", "namespace", "resources",
            "images", "replicas", "patches", "secretGenerator", "generatorOptions");

    private Kustomize() {
    }

    /** Renders the kustomization in {@code dir}: every object as a YAML tree, in resource order. */
    static List<Map<String, Object>> render(Path dir) {
        Path file = dir.resolve("kustomization.yaml");
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no kustomization.yaml in " + dir
                    + ": a resource folder needs one (this renderer reads only that name)");
        }
        Map<String, Object> k = Yamls.loadOne(file);
        for (String key : k.keySet()) {
            if (!SUPPORTED.contains(key)) {
                throw new IllegalArgumentException(file + ": kustomization field '" + key
                        + "' is not supported by this renderer (supported: " + SUPPORTED
                        + "); teach Kustomize.java or keep to the supported subset");
            }
        }
        List<Map<String, Object>> objects = new ArrayList<>();
        for (Object r : list(k.get("resources"))) {
            Path p = dir.resolve((String) r).normalize();
            if (Files.isDirectory(p)) {
                objects.addAll(render(p));
            } else if (Files.isRegularFile(p)) {
                objects.addAll(Yamls.loadAll(p));
            } else {
                throw new IllegalArgumentException(file + ": resource " + r + " does not exist");
            }
        }
        objects.addAll(secrets(file, k));
        for (Object p : list(k.get("patches"))) {
            applyPatch(dir, file, Yamls.map(p), objects);
        }
        if (k.get("namespace") != null) {
            for (Map<String, Object> o : objects) {
                Yamls.map(o.get("metadata")).put("namespace", k.get("namespace"));
            }
        }
        for (Object i : list(k.get("images"))) {
            Map<String, Object> image = Yamls.map(i);
            objects.forEach(o -> replaceImages(o, image));
        }
        for (Object r : list(k.get("replicas"))) {
            Map<String, Object> rep = Yamls.map(r);
            int matched = 0;
            for (Map<String, Object> o : objects) {
                if (Set.of("Deployment", "StatefulSet", "ReplicaSet").contains(o.get("kind"))
                        && rep.get("name").equals(name(o))) {
                    Yamls.map(o.get("spec")).put("replicas", rep.get("count"));
                    matched++;
                }
            }
            if (matched == 0) {
                throw new IllegalArgumentException(file + ": replicas for " + rep.get("name") + " match no workload");
            }
        }
        return objects;
    }

    static String name(Map<String, Object> o) {
        return (String) Yamls.map(o.get("metadata")).get("name");
    }

    static String group(Map<String, Object> o) {
        String apiVersion = (String) o.get("apiVersion");
        return apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
    }

    private static List<Map<String, Object>> secrets(Path file, Map<String, Object> k) {
        List<Map<String, Object>> out = new ArrayList<>();
        List<Object> generators = list(k.get("secretGenerator"));
        if (generators.isEmpty()) {
            return out;
        }
        Map<String, Object> options = k.get("generatorOptions") == null ? Map.of() : Yamls.map(k.get("generatorOptions"));
        if (!Boolean.TRUE.equals(options.get("disableNameSuffixHash")) || options.size() != 1) {
            throw new IllegalArgumentException(file + ": secretGenerator is supported only with generatorOptions"
                    + " {disableNameSuffixHash: true} (this renderer does not compute kustomize's name hash)");
        }
        for (Object g : generators) {
            Map<String, Object> gen = Yamls.map(g);
            if (!Set.of("name", "literals").containsAll(gen.keySet())) {
                throw new IllegalArgumentException(file + ": secretGenerator " + gen.get("name")
                        + " uses " + gen.keySet() + "; only name and literals are supported");
            }
            Map<String, Object> data = new LinkedHashMap<>();
            for (Object literal : list(gen.get("literals"))) {
                String s = (String) literal;
                int eq = s.indexOf('=');
                data.put(s.substring(0, eq), Base64.getEncoder()
                        .encodeToString(s.substring(eq + 1).getBytes(StandardCharsets.UTF_8)));
            }
            Map<String, Object> secret = new LinkedHashMap<>();
            secret.put("apiVersion", "v1");
            secret.put("kind", "Secret");
            secret.put("metadata", new LinkedHashMap<>(Map.of("name", gen.get("name"))));
            secret.put("type", "Opaque");
            secret.put("data", data);
            out.add(secret);
        }
        return out;
    }

    private static void applyPatch(Path dir, Path file, Map<String, Object> patch, List<Map<String, Object>> objects) {
        if (!Set.of("path", "target").containsAll(patch.keySet()) || patch.get("path") == null) {
            throw new IllegalArgumentException(file + ": patches entries need 'path' (and may have 'target');"
                    + " got " + patch.keySet());
        }
        Path patchFile = dir.resolve((String) patch.get("path"));
        Map<String, Object> target = patch.get("target") == null ? null : Yamls.map(patch.get("target"));
        if (target != null && !Set.of("group", "version", "kind", "name").containsAll(target.keySet())) {
            throw new IllegalArgumentException(file + ": patch target fields " + target.keySet()
                    + " not supported (group, version, kind, name are)");
        }
        for (Map<String, Object> doc : Yamls.loadAll(patchFile)) {
            int matched = 0;
            for (Map<String, Object> o : objects) {
                boolean match = target != null ? matchesTarget(o, target) : sameId(o, doc);
                if (match) {
                    Map<String, Object> body = Yamls.map(Yamls.deepCopy(doc));
                    Map<String, Object> meta = new LinkedHashMap<>(Yamls.map(doc.get("metadata")));
                    meta.remove("name");
                    body.put("metadata", meta);
                    body.remove("apiVersion");
                    body.remove("kind");
                    StrategicMerge.apply(o, body, isBuiltIn(o));
                    matched++;
                }
            }
            if (matched == 0) {
                throw new IllegalArgumentException(patchFile + ": patch for " + doc.get("kind") + " "
                        + Yamls.map(doc.get("metadata")).get("name") + " matches no object");
            }
        }
    }

    /** Built-in kinds get Kubernetes' strategic merge; custom resources get a JSON merge patch. */
    static boolean isBuiltIn(Map<String, Object> o) {
        return Set.of("", "apps", "batch").contains(group(o));
    }

    private static boolean matchesTarget(Map<String, Object> o, Map<String, Object> t) {
        String apiVersion = (String) o.get("apiVersion");
        String version = apiVersion.substring(apiVersion.indexOf('/') + 1);
        return (t.get("group") == null || t.get("group").equals(group(o)))
                && (t.get("version") == null || t.get("version").equals(version))
                && (t.get("kind") == null || t.get("kind").equals(o.get("kind")))
                && (t.get("name") == null || name(o).matches((String) t.get("name")));
    }

    private static boolean sameId(Map<String, Object> o, Map<String, Object> patch) {
        return group(o).equals(group(patch)) && o.get("kind").equals(patch.get("kind"))
                && name(o).equals(Yamls.map(patch.get("metadata")).get("name"));
    }

    @SuppressWarnings("unchecked")
    private static void replaceImages(Object node, Map<String, Object> image) {
        if (node instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (("containers".equals(e.getKey()) || "initContainers".equals(e.getKey())) && e.getValue() instanceof List<?> cs) {
                    for (Object c : cs) {
                        Map<String, Object> container = (Map<String, Object>) c;
                        String ref = (String) container.get("image");
                        int colon = ref.lastIndexOf(':');
                        boolean tagged = colon > ref.lastIndexOf('/');
                        String imageName = tagged ? ref.substring(0, colon) : ref;
                        String tag = tagged ? ref.substring(colon + 1) : null;
                        if (imageName.equals(image.get("name"))) {
                            String newName = image.get("newName") != null ? (String) image.get("newName") : imageName;
                            String newTag = image.get("newTag") != null ? String.valueOf(image.get("newTag")) : tag;
                            container.put("image", newTag == null ? newName : newName + ":" + newTag);
                        }
                    }
                } else {
                    replaceImages(e.getValue(), image);
                }
            }
        } else if (node instanceof List<?> l) {
            l.forEach(x -> replaceImages(x, image));
        }
    }

    private static List<Object> list(Object o) {
        if (o == null) {
            return List.of();
        }
        if (!(o instanceof List<?>)) {
            throw new IllegalArgumentException("expected a list, got " + o);
        }
        return new ArrayList<>((List<?>) o);
    }

    /** YAML reading shared by the tests: plain maps and lists, documents that are empty skipped. */
    static final class Yamls {
        private Yamls() {
        }

        static Map<String, Object> loadOne(Path file) {
            List<Map<String, Object>> docs = loadAll(file);
            if (docs.size() != 1) {
                throw new IllegalArgumentException(file + ": expected one YAML document, found " + docs.size());
            }
            return docs.get(0);
        }

        static List<Map<String, Object>> loadAll(Path file) {
            LoaderOptions options = new LoaderOptions();
            options.setAllowDuplicateKeys(false);
            List<Map<String, Object>> docs = new ArrayList<>();
            try (Reader in = Files.newBufferedReader(file)) {
                for (Object doc : new Yaml(options).loadAll(in)) {
                    if (doc != null) {
                        docs.add(map(doc));
                    }
                }
            } catch (IOException e) {
                throw new IllegalStateException("cannot read " + file + ": " + e.getMessage(), e);
            }
            return docs;
        }

        /** Patches applied to several objects must not share their maps with each of them. */
        static Object deepCopy(Object o) {
            if (o instanceof Map<?, ?> m) {
                Map<String, Object> copy = new LinkedHashMap<>();
                m.forEach((k, v) -> copy.put((String) k, deepCopy(v)));
                return copy;
            }
            if (o instanceof List<?> l) {
                List<Object> copy = new ArrayList<>();
                l.forEach(v -> copy.add(deepCopy(v)));
                return copy;
            }
            return o;
        }

        @SuppressWarnings("unchecked")
        static Map<String, Object> map(Object o) {
            if (!(o instanceof Map<?, ?>)) {
                throw new IllegalArgumentException("expected a YAML mapping, got " + o);
            }
            return (Map<String, Object>) o;
        }
    }
}
