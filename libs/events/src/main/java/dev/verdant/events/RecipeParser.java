package dev.verdant.events;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;

/**
 * Reads a recipe (YAML or JSON), checks it against schemas/recipe.schema.json and against the rules
 * a schema cannot express (unique names, chains that lead back to the original), resolves the
 * defaults and orders the plan so every step comes after the step it starts from.
 *
 * <p>Hostile input is bounded before it can cost anything: size, alias count (the "billion laughs"
 * anchor bomb), nesting depth and document length are all capped.
 */
public final class RecipeParser {
    /** A recipe is a few dozen lines; anything this big is a mistake or an attack. */
    public static final int MAX_BYTES = 64 * 1024;
    private static final int MAX_ALIASES = 20;
    private static final int MAX_DEPTH = 32;

    private static final ObjectMapper YAML;

    static {
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(MAX_ALIASES);
        options.setAllowDuplicateKeys(false);
        options.setNestingDepthLimit(MAX_DEPTH);
        options.setCodePointLimit(MAX_BYTES);
        YAMLFactory factory = YAMLFactory.builder()
                .loaderOptions(options)
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
                .build();
        YAML = new YAMLMapper(factory);
    }

    /** Outcome of reading a recipe: valid (resolved recipe, its hash, its plan) or invalid with a reason. */
    public sealed interface Result permits Valid, Invalid {
    }

    /** @param sha256 hash of the canonical JSON of the resolved recipe: formatting and spelled-out defaults do not change it */
    public record Valid(Recipe recipe, String sha256, List<PlannedStep> plan) implements Result {
    }

    public record Invalid(String message) implements Result {
    }

    private RecipeParser() {
    }

    /** The recipe used when none is uploaded: schemas/recipes/default.yaml. */
    public static Valid defaultRecipe() {
        try (InputStream in = RecipeParser.class.getClassLoader().getResourceAsStream("schemas/recipes/default.yaml")) {
            if (in == null) {
                throw new IllegalStateException("schemas/recipes/default.yaml is missing from the classpath (module verdant-schemas)");
            }
            Result result = parse(in.readAllBytes());
            if (result instanceof Valid valid) {
                return valid;
            }
            throw new IllegalStateException("the default recipe is invalid: " + ((Invalid) result).message());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Result parse(byte[] bytes) {
        if (bytes.length == 0) {
            return new Invalid("the recipe is empty: write at least 'variants: []', or leave recipe.yaml out to use the default recipe");
        }
        if (bytes.length > MAX_BYTES) {
            return new Invalid("the recipe is " + bytes.length + " bytes; at most " + MAX_BYTES + " are accepted");
        }
        JsonNode tree;
        try {
            if (usesAliases(bytes)) {
                return new Invalid("the recipe uses YAML anchors or aliases (&name / *name), which recipes do not support:"
                        + " write the values out");
            }
            tree = YAML.readTree(bytes);
        } catch (IOException | RuntimeException e) {
            // SnakeYAML reports the alias bomb and depth limits as runtime exceptions.
            return new Invalid("the recipe is not valid YAML: " + yamlProblem(e) + ". Fix it (any YAML linter shows"
                    + " the line) and upload recipe.yaml again, then the model");
        }
        if (tree == null || !tree.isObject()) {
            return new Invalid("the recipe must be a YAML mapping with at least a 'variants' list");
        }
        List<String> problems = Schemas.validate(Schemas.RECIPE, tree);
        if (!problems.isEmpty()) {
            return new Invalid("the recipe does not match schemas/recipe.schema.json: "
                    + String.join("; ", problems.subList(0, Math.min(5, problems.size())))
                    + (problems.size() > 5 ? " (and " + (problems.size() - 5) + " more)" : "")
                    + ". Correct these fields (the schema documents each one and its range) and upload the recipe again");
        }
        Recipe recipe = resolve((ObjectNode) tree);
        String chainProblem = checkChains(recipe.variants());
        if (chainProblem != null) {
            return new Invalid(chainProblem);
        }
        return new Valid(recipe, Hashes.sha256(EventJson.toCanonicalBytes(recipe)), plan(recipe.variants()));
    }

    private static Recipe resolve(ObjectNode tree) {
        List<Recipe.Variant> variants = new ArrayList<>();
        for (JsonNode v : tree.path("variants")) {
            Map<String, Object> params = v.has("params")
                    ? YAML.convertValue(v.get("params"), LinkedHashMap.class)
                    : Map.of();
            variants.add(new Recipe.Variant(v.get("name").asText(),
                    Technique.valueOf(v.get("technique").asText().toUpperCase(java.util.Locale.ROOT)),
                    v.path("from").asText(PlannedStep.ORIGINAL), params));
        }
        JsonNode quality = tree.path("quality");
        JsonNode evaluation = tree.path("evaluation");
        JsonNode carbon = tree.path("carbon");
        return new Recipe(
                Recipe.API_VERSION,
                tree.path("name").asText("unnamed"),
                Recipe.Task.valueOf(tree.path("task").asText("sts").toUpperCase(java.util.Locale.ROOT)),
                variants,
                new Recipe.Quality(quality.path("maxLoss").asDouble(1.0)),
                new Recipe.Evaluation(evaluation.path("split").asText("test"),
                        evaluation.hasNonNull("maxPairs") ? evaluation.get("maxPairs").asInt() : null,
                        evaluation.path("maxSequenceLength").asInt(128)),
                new Recipe.Carbon(carbon.path("region").asText("WLD"), carbon.path("pue").asDouble(1.0),
                        carbon.path("inferencesPerDay").asDouble(1_000_000)));
    }

    private static String checkChains(List<Recipe.Variant> variants) {
        Map<String, Recipe.Variant> byName = new HashMap<>();
        for (Recipe.Variant v : variants) {
            if (byName.put(v.name(), v) != null) {
                return "the recipe names two variants '" + v.name() + "': each variant needs its own name";
            }
        }
        for (Recipe.Variant v : variants) {
            if (!v.from().equals(PlannedStep.ORIGINAL) && !byName.containsKey(v.from())) {
                return "variant '" + v.name() + "' starts from '" + v.from()
                        + "', which the recipe does not define: use 'original' or the name of another variant";
            }
            Set<String> seen = new HashSet<>();
            for (String at = v.name(); !at.equals(PlannedStep.ORIGINAL); at = byName.get(at).from()) {
                if (!seen.add(at)) {
                    return "variant '" + v.name() + "' is part of a cycle (" + String.join(" <- ", seen)
                            + "): every chain must lead back to 'original'";
                }
            }
        }
        return null;
    }

    /** Steps in dependency order (an input before what is made from it), otherwise in recipe order. */
    private static List<PlannedStep> plan(List<Recipe.Variant> variants) {
        List<PlannedStep> ordered = new ArrayList<>();
        Set<String> done = new HashSet<>(Set.of(PlannedStep.ORIGINAL));
        List<Recipe.Variant> pending = new ArrayList<>(variants);
        while (!pending.isEmpty()) {
            // Chains were checked to end at the original, so each pass places at least one step.
            for (var it = pending.iterator(); it.hasNext(); ) {
                Recipe.Variant v = it.next();
                if (done.contains(v.from())) {
                    ordered.add(new PlannedStep(v.name(), v.technique(), v.params(), v.from()));
                    done.add(v.name());
                    it.remove();
                }
            }
        }
        return ordered;
    }

    /**
     * Jackson does not expand aliases of collections the way a YAML composer would, so a recipe
     * relying on them would silently mean something else; and refusing them shuts the door on the
     * "billion laughs" expansion for good.
     */
    private static boolean usesAliases(byte[] bytes) throws IOException {
        try (YAMLParser parser = (YAMLParser) YAML.getFactory().createParser(bytes)) {
            while (parser.nextToken() != null) {
                if (parser.isCurrentAlias() || parser.getObjectId() != null) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The parser's complaint in a person's words: limits say which limit, not which Java setting. */
    private static String yamlProblem(Exception e) {
        String message = String.valueOf(e.getMessage());
        if (message.contains("nesting depth") || message.contains("Nesting Depth")) {
            return "it nests lists or mappings more than " + MAX_DEPTH + " levels deep (a recipe needs 4)";
        }
        if (message.contains("code points") || message.contains("exceeds the limit")) {
            return "it is longer than " + MAX_BYTES + " characters";
        }
        return printable(firstLine(message));
    }

    private static String printable(String text) {
        StringBuilder out = new StringBuilder();
        text.codePoints().limit(200).forEach(c -> out.appendCodePoint(Character.isISOControl(c) ? '?' : c));
        return text.length() > 200 ? out + "..." : out.toString();
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
