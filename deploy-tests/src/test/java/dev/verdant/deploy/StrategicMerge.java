package dev.verdant.deploy;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The part of Kubernetes' strategic merge patch that Verdant's patches use: maps merge key by key,
 * a null value deletes, and lists of named things merge item by item on their merge key
 * (containers and env by name, container ports by containerPort, service ports by port, volume
 * mounts by mountPath); every other list is replaced, as in Kubernetes. Custom resources get a JSON
 * merge patch (RFC 7386): every list is replaced, which is what kustomize does for them.
 */
final class StrategicMerge {

    private static final Map<String, String> MERGE_KEYS = Map.of(
            "containers", "name", "initContainers", "name", "env", "name", "volumes", "name",
            "volumeMounts", "mountPath", "imagePullSecrets", "name");

    private StrategicMerge() {
    }

    static void apply(Map<String, Object> target, Map<String, Object> patch, boolean strategic) {
        mergeMap(target, patch, strategic);
    }

    @SuppressWarnings("unchecked")
    private static void mergeMap(Map<String, Object> target, Map<String, Object> patch, boolean strategic) {
        for (Map.Entry<String, Object> e : patch.entrySet()) {
            String key = e.getKey();
            Object value = e.getValue();
            if (key.startsWith("$")) {
                throw new IllegalArgumentException("strategic-merge directive " + key + " is not supported by this renderer");
            }
            Object current = target.get(key);
            if (value == null) {
                target.remove(key);
            } else if (value instanceof Map<?, ?> pm && current instanceof Map<?, ?> cm) {
                mergeMap((Map<String, Object>) cm, (Map<String, Object>) pm, strategic);
            } else if (strategic && value instanceof List<?> pl && current instanceof List<?> cl && mergeKey(key, pl) != null) {
                target.put(key, mergeList((List<Object>) cl, (List<Object>) pl, mergeKey(key, pl), strategic));
            } else {
                target.put(key, value);
            }
        }
    }

    private static String mergeKey(String field, List<?> patchItems) {
        if ("ports".equals(field)) {
            boolean containerPorts = patchItems.stream().allMatch(i -> i instanceof Map<?, ?> m && m.containsKey("containerPort"));
            return containerPorts ? "containerPort" : "port";
        }
        return MERGE_KEYS.get(field);
    }

    @SuppressWarnings("unchecked")
    private static List<Object> mergeList(List<Object> current, List<Object> patch, String key, boolean strategic) {
        List<Object> out = new ArrayList<>(current);
        for (Object p : patch) {
            Map<String, Object> pm = (Map<String, Object>) p;
            Object id = pm.get(key);
            if (id == null) {
                throw new IllegalArgumentException("patch list item without its merge key '" + key + "': " + pm);
            }
            boolean merged = false;
            for (Iterator<Object> it = out.iterator(); it.hasNext();) {
                Map<String, Object> cm = (Map<String, Object>) it.next();
                if (id.equals(cm.get(key))) {
                    mergeMap(cm, pm, strategic);
                    merged = true;
                    break;
                }
            }
            if (!merged) {
                out.add(pm);
            }
        }
        return out;
    }
}
