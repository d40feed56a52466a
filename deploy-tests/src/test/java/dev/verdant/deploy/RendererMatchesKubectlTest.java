package dev.verdant.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.yaml.snakeyaml.Yaml;

import dev.verdant.deploy.Kustomize.Yamls;

/**
 * Keeps {@link Kustomize} honest: where kubectl is installed, each overlay rendered by
 * {@code kubectl kustomize} must give the same objects, field for field, as the Java renderer
 * (object order aside: kustomize sorts by kind). Skipped, with the reason shown, where there is no
 * kubectl.
 */
class RendererMatchesKubectlTest {

    @ParameterizedTest
    @ValueSource(strings = {"base", "overlays/dev", "overlays/prod"})
    void javaRendererGivesWhatKubectlKustomizeGives(String dir) throws Exception {
        String kubectl = kubectl();
        assumeTrue(kubectl != null, "kubectl not on PATH: the Java renderer is not compared with kubectl kustomize here");
        Path path = Repo.ROOT.resolve("k8s").resolve(dir);
        Process p = new ProcessBuilder(kubectl, "kustomize", path.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("kubectl kustomize " + dir + " did not finish in 60 s");
        }
        assertEquals(0, p.exitValue(), "kubectl kustomize " + dir + " failed:\n" + out);
        List<Map<String, Object>> fromKubectl = new ArrayList<>();
        for (Object doc : new Yaml().loadAll(out)) {
            if (doc != null) {
                fromKubectl.add(Yamls.map(doc));
            }
        }
        assertEquals(byId(fromKubectl), byId(Kustomize.render(path)), "Java renderer vs kubectl kustomize for k8s/" + dir);
    }

    private static Map<String, Map<String, Object>> byId(List<Map<String, Object>> objects) {
        Map<String, Map<String, Object>> out = new TreeMap<>();
        for (Map<String, Object> o : objects) {
            out.put(o.get("apiVersion") + "/" + o.get("kind") + "/" + Yamls.map(o.get("metadata")).get("namespace")
                    + "/" + Kustomize.name(o), o);
        }
        return out;
    }

    private static String kubectl() {
        return ComposeConfigTest.onPath("kubectl");
    }
}
