package dev.verdant.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.verdant.deploy.Kustomize.Yamls;

/** The renderer's own rules, on tiny kustomizations, including what it must refuse. */
class KustomizeTest {

    private static final String DEPLOYMENT = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: app
            spec:
              replicas: 1
              template:
                spec:
                  containers:
                    - name: app
                      image: verdant/app:dev
                      env:
                        - name: A
                          value: "1"
                        - name: B
                          value: "2"
                      args: ["x", "y"]
                    - name: sidecar
                      image: busybox:1.36
            """;

    @TempDir
    Path dir;

    private void write(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
    }

    @Test
    void strategicMergeMergesNamedListsAndReplacesOthersThenNamespaceImagesReplicas() throws IOException {
        write("base/kustomization.yaml", "resources: [app.yaml]\n");
        write("base/app.yaml", DEPLOYMENT);
        write("o/kustomization.yaml", """
                namespace: ns
                resources: [../base]
                images:
                  - name: verdant/app
                    newName: reg.example/verdant/app
                    newTag: 1.2.3
                replicas:
                  - name: app
                    count: 3
                patches:
                  - path: patch.yaml
                """);
        write("o/patch.yaml", """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: app
                spec:
                  template:
                    spec:
                      containers:
                        - name: app
                          env:
                            - name: B
                              value: "3"
                            - name: C
                              value: "4"
                          args: ["z"]
                """);
        Map<String, Object> d = Kustomize.render(dir.resolve("o")).get(0);
        assertEquals("ns", Yamls.map(d.get("metadata")).get("namespace"));
        assertEquals(3, Yamls.map(d.get("spec")).get("replicas"));
        List<?> containers = (List<?>) Yamls.map(Yamls.map(Yamls.map(d.get("spec")).get("template")).get("spec")).get("containers");
        Map<String, Object> app = Yamls.map(containers.get(0));
        assertEquals("reg.example/verdant/app:1.2.3", app.get("image"));
        assertEquals(List.of(Map.of("name", "A", "value", "1"), Map.of("name", "B", "value", "3"), Map.of("name", "C", "value", "4")),
                app.get("env"));
        assertEquals(List.of("z"), app.get("args"), "lists without a merge key are replaced");
        assertEquals("busybox:1.36", Yamls.map(containers.get(1)).get("image"), "other images untouched");
    }

    @Test
    void targetedPatchOnCustomResourcesReplacesListsAndKeepsEachName() throws IOException {
        write("k/kustomization.yaml", """
                resources: [topics.yaml]
                patches:
                  - path: p.yaml
                    target:
                      group: kafka.strimzi.io
                      kind: KafkaTopic
                """);
        write("k/topics.yaml", """
                apiVersion: kafka.strimzi.io/v1beta2
                kind: KafkaTopic
                metadata: {name: a}
                spec: {partitions: 1, list: [1, 2]}
                ---
                apiVersion: kafka.strimzi.io/v1beta2
                kind: KafkaTopic
                metadata: {name: b}
                spec: {partitions: 1}
                """);
        write("k/p.yaml", """
                apiVersion: kafka.strimzi.io/v1beta2
                kind: KafkaTopic
                metadata: {name: any}
                spec: {partitions: 12, list: [3]}
                """);
        List<Map<String, Object>> out = Kustomize.render(dir.resolve("k"));
        assertEquals(List.of("a", "b"), out.stream().map(Kustomize::name).toList());
        assertEquals(12, Yamls.map(out.get(1).get("spec")).get("partitions"));
        assertEquals(List.of(3), Yamls.map(out.get(0).get("spec")).get("list"));
        Yamls.map(out.get(0).get("spec")).put("partitions", 7);
        assertEquals(12, Yamls.map(out.get(1).get("spec")).get("partitions"), "objects must not share patch maps");
    }

    @Test
    void refusesWhatItDoesNotImplementInsteadOfIgnoringIt() throws IOException {
        write("a/kustomization.yaml", "resources: []\ncommonLabels: {x: y}\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Kustomize.render(dir.resolve("a")));
        assertTrue(e.getMessage().contains("commonLabels"), e.getMessage());

        write("b/kustomization.yaml", "secretGenerator:\n  - name: s\n    literals: [A=1]\n");
        e = assertThrows(IllegalArgumentException.class, () -> Kustomize.render(dir.resolve("b")));
        assertTrue(e.getMessage().contains("disableNameSuffixHash"), e.getMessage());

        write("c/kustomization.yaml", "resources: [app.yaml]\npatches:\n  - path: p.yaml\n");
        write("c/app.yaml", DEPLOYMENT);
        write("c/p.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: other}\nspec: {replicas: 2}\n");
        e = assertThrows(IllegalArgumentException.class, () -> Kustomize.render(dir.resolve("c")));
        assertTrue(e.getMessage().contains("matches no object"), e.getMessage());
    }

    @Test
    void modelCheckRefusesUnknownFieldsWithTheirPath() {
        Map<String, Object> d = Yamls.map(new org.yaml.snakeyaml.Yaml().load(DEPLOYMENT.replace("  replicas: 1\n", "  replica: 1\n")
                .replace("image: busybox:1.36", "image: busybox:1.36\n          livenessprobe: {}")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KubernetesModel.read(d));
        assertTrue(e.getMessage().contains("Deployment.spec.replica"), e.getMessage());
        assertTrue(e.getMessage().contains("containers[1].livenessprobe"), e.getMessage());

        Map<String, Object> wrongType = Yamls.map(new org.yaml.snakeyaml.Yaml().load(DEPLOYMENT.replace("replicas: 1", "replicas: [1]")));
        assertThrows(IllegalArgumentException.class, () -> KubernetesModel.read(wrongType));
    }
}
