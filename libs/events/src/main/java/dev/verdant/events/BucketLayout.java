package dev.verdant.events;

/**
 * Where things live in the Verdant bucket. Every service builds keys through this class.
 *
 * <pre>
 * uploads/&lt;submission&gt;/model.onnx          the user's model (any name ending in .onnx; the trigger)
 * uploads/&lt;submission&gt;/tokenizer.json      its tokenizer (uploaded before the model)
 * uploads/&lt;submission&gt;/recipe.yaml         optional recipe (uploaded before the model)
 * models/sha256/&lt;sha256&gt;.onnx             every model by content (originals and variants)
 * tokenizers/sha256/&lt;sha256&gt;.json         every tokenizer by content
 * runs/&lt;runId&gt;/run.json                    the ModelIngested event that started the run (idempotency marker)
 * runs/&lt;runId&gt;/recipe.yaml                 the recipe the run uses, resolved
 * runs/&lt;runId&gt;/variants/&lt;variantId&gt;.onnx  variants made by the technique services
 * runs/&lt;runId&gt;/report.json|report.html|emissions.csv   the verdict
 * system/&lt;service&gt;/...                     service state (e.g. what the ingest poller has seen)
 * </pre>
 */
public final class BucketLayout {
    public static final String DEFAULT_BUCKET = "verdant";
    public static final String UPLOADS_PREFIX = "uploads/";
    public static final String TOKENIZER_FILE = "tokenizer.json";
    public static final String RECIPE_FILE = "recipe.yaml";
    public static final String RECIPE_FILE_ALT = "recipe.yml";

    private BucketLayout() {
    }

    public static String modelKey(String sha256) {
        return "models/sha256/" + sha256 + ".onnx";
    }

    public static String tokenizerKey(String sha256) {
        return "tokenizers/sha256/" + sha256 + ".json";
    }

    public static String runPrefix(String runId) {
        return "runs/" + runId + "/";
    }

    public static String runMarkerKey(String runId) {
        return runPrefix(runId) + "run.json";
    }

    public static String runRecipeKey(String runId) {
        return runPrefix(runId) + "recipe.yaml";
    }

    public static String variantKey(String runId, String variantId) {
        return runPrefix(runId) + "variants/" + variantId + ".onnx";
    }

    public static String reportJsonKey(String runId) {
        return runPrefix(runId) + "report.json";
    }

    public static String reportHtmlKey(String runId) {
        return runPrefix(runId) + "report.html";
    }

    public static String emissionsCsvKey(String runId) {
        return runPrefix(runId) + "emissions.csv";
    }

    public static String serviceStateKey(String service, String name) {
        return "system/" + service + "/" + name;
    }

    /** The folder part of an upload key ("uploads/x/model.onnx" gives "uploads/x/"). */
    public static String folderOf(String key) {
        int slash = key.lastIndexOf('/');
        return slash < 0 ? "" : key.substring(0, slash + 1);
    }

    /** True for keys that trigger a run: an .onnx file under uploads/. */
    public static boolean isModelUpload(String key) {
        return key.startsWith(UPLOADS_PREFIX) && key.toLowerCase(java.util.Locale.ROOT).endsWith(".onnx");
    }
}
