package dev.verdant.deploy;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;

/**
 * Reads a rendered object into the fabric8 Kubernetes model and refuses anything the model does not
 * know. The model classes keep unknown fields in additionalProperties instead of failing (so that
 * clients survive newer servers), hence FAIL_ON_UNKNOWN_PROPERTIES alone catches nothing: every
 * model object of the result is walked and any additional property is reported with its path.
 * Wrong types (a string where a number belongs, a list for a map) fail in Jackson itself.
 */
final class KubernetesModel {

    /** Core kinds Verdant's manifests use, with the apiVersion each must have. */
    static final Map<String, Class<? extends HasMetadata>> KINDS = Map.of(
            "apps/v1/Deployment", Deployment.class,
            "v1/Service", Service.class,
            "v1/ConfigMap", ConfigMap.class,
            "v1/Secret", Secret.class,
            "v1/PersistentVolumeClaim", PersistentVolumeClaim.class,
            "batch/v1/Job", Job.class);

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);

    private KubernetesModel() {
    }

    static boolean isCoreKind(Map<String, Object> o) {
        return KINDS.containsKey(o.get("apiVersion") + "/" + o.get("kind"));
    }

    /** The typed object; throws naming the object and every unknown field (with its path). */
    static HasMetadata read(Map<String, Object> o) {
        String id = o.get("apiVersion") + "/" + o.get("kind");
        Class<? extends HasMetadata> type = KINDS.get(id);
        if (type == null) {
            throw new IllegalArgumentException(id + " " + Kustomize.name(o) + " is not a kind this check knows: " + KINDS.keySet());
        }
        HasMetadata typed;
        try {
            typed = MAPPER.convertValue(o, type);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(id + " " + Kustomize.name(o) + " does not fit the Kubernetes model: " + e.getMessage(), e);
        }
        List<String> unknown = new ArrayList<>();
        walk(typed, o.get("kind").toString(), unknown, Collections.newSetFromMap(new IdentityHashMap<>()));
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(id + " " + Kustomize.name(o) + " has fields the Kubernetes model does not know: " + unknown);
        }
        return typed;
    }

    private static void walk(Object node, String path, List<String> unknown, Set<Object> seen) {
        if (node == null || node instanceof String || node instanceof Number || node instanceof Boolean
                || node instanceof Enum<?> || !seen.add(node)) {
            return;
        }
        if (node instanceof Map<?, ?> m) {
            m.forEach((k, v) -> walk(v, path + "." + k, unknown, seen));
            return;
        }
        if (node instanceof List<?> l) {
            for (int i = 0; i < l.size(); i++) {
                walk(l.get(i), path + "[" + i + "]", unknown, seen);
            }
            return;
        }
        if (!node.getClass().getName().startsWith("io.fabric8.")) {
            return;
        }
        for (Method m : node.getClass().getMethods()) {
            if (m.getParameterCount() != 0 || Modifier.isStatic(m.getModifiers()) || m.getReturnType().isPrimitive()
                    || !m.getName().startsWith("get") || m.getName().equals("getClass")) {
                continue;
            }
            Object value;
            try {
                value = m.invoke(node);
            } catch (IllegalAccessException | InvocationTargetException e) {
                continue;
            }
            if (m.getName().equals("getAdditionalProperties")) {
                if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    extra.keySet().forEach(k -> unknown.add(path + "." + k));
                }
            } else {
                String field = Character.toLowerCase(m.getName().charAt(3)) + m.getName().substring(4);
                walk(value, path + "." + field, unknown, seen);
            }
        }
    }
}
