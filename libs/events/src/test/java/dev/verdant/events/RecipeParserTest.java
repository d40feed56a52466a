package dev.verdant.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RecipeParserTest {

    private static RecipeParser.Result parse(String yaml) {
        return RecipeParser.parse(yaml.getBytes(StandardCharsets.UTF_8));
    }

    private static String invalid(String yaml) {
        RecipeParser.Result result = parse(yaml);
        assertThat(result).isInstanceOf(RecipeParser.Invalid.class);
        return ((RecipeParser.Invalid) result).message();
    }

    @Test
    void chainedStepsComeAfterTheirInputWhateverTheRecipeOrder() {
        RecipeParser.Valid valid = (RecipeParser.Valid) parse("""
                variants:
                  - { name: small-int8, technique: quantize, from: small, params: { mode: dynamic-int8 } }
                  - { name: small, technique: distill, params: { layers: 3 } }
                  - { name: fp16, technique: quantize, params: { mode: fp16 } }
                """);
        assertThat(valid.plan()).extracting(PlannedStep::variantId).containsExactly("small", "fp16", "small-int8");
        assertThat(valid.plan().get(2).input()).isEqualTo("small");
        assertThat(valid.recipe().quality().maxLoss()).isEqualTo(1.0);
        assertThat(valid.recipe().carbon().region()).isEqualTo("WLD");
    }

    @Test
    void formattingAndSpelledOutDefaultsDoNotChangeTheHash() {
        RecipeParser.Valid terse = (RecipeParser.Valid) parse("variants: [{name: a, technique: quantize, params: {mode: fp16}}]");
        RecipeParser.Valid verbose = (RecipeParser.Valid) parse("""
                # same recipe, written out
                apiVersion: verdant.dev/v1
                task: sts
                quality:
                  maxLoss: 1.0
                variants:
                  - name: a
                    from: original
                    technique: quantize
                    params:
                      mode: fp16
                """);
        assertThat(verbose.sha256()).isEqualTo(terse.sha256());
        RecipeParser.Valid other = (RecipeParser.Valid) parse("variants: [{name: a, technique: quantize, params: {mode: int4}}]");
        assertThat(other.sha256()).isNotEqualTo(terse.sha256());
    }

    @Test
    void unknownFieldIsRefusedByName() {
        assertThat(invalid("variants: []\nqualty: {maxLoss: 1}")).contains("qualty");
    }

    @Test
    void wrongParameterForTheTechniqueIsRefused() {
        assertThat(invalid("variants: [{name: a, technique: quantize, params: {mode: int3}}]")).contains("mode");
        assertThat(invalid("variants: [{name: a, technique: prune, params: {method: ffn, amount: 7}}]")).contains("amount");
    }

    @Test
    void hugeNumbersAreRefused() {
        assertThat(invalid("variants: [{name: a, technique: distill, params: {steps: 99999999999999999999}}]"))
                .contains("steps");
    }

    @Test
    void anchorBombIsRefusedBeforeItExpands() {
        StringBuilder yaml = new StringBuilder("a: &a [x, x, x, x, x, x, x, x, x]\n");
        for (char c = 'b'; c <= 'k'; c++) {
            char prev = (char) (c - 1);
            yaml.append(c).append(": &").append(c).append(" [*").append(prev).append(", *").append(prev)
                    .append(", *").append(prev).append(", *").append(prev).append(", *").append(prev).append("]\n");
        }
        yaml.append("variants: []\n");
        assertThat(invalid(yaml.toString())).contains("anchors or aliases");
    }

    @Test
    void deepNestingIsRefused() {
        assertThat(invalid("variants: []\nname: " + "[".repeat(200) + "]".repeat(200))).contains("not valid YAML");
    }

    @Test
    void oversizedRecipeIsRefusedWithTheLimit() {
        assertThat(invalid("# " + "x".repeat(RecipeParser.MAX_BYTES) + "\nvariants: []")).contains("at most 65536");
    }

    @Test
    void duplicateNamesUnknownInputsAndCyclesAreRefused() {
        assertThat(invalid("""
                variants:
                  - { name: a, technique: quantize, params: { mode: fp16 } }
                  - { name: a, technique: quantize, params: { mode: int4 } }
                """)).contains("two variants 'a'");
        assertThat(invalid("variants: [{name: a, technique: quantize, from: ghost, params: {mode: fp16}}]"))
                .contains("'ghost'");
        assertThat(invalid("""
                variants:
                  - { name: a, technique: quantize, from: b, params: { mode: fp16 } }
                  - { name: b, technique: quantize, from: a, params: { mode: int4 } }
                """)).contains("cycle");
    }

    @Test
    void emptyAndNonMappingRecipesSayWhatIsExpected() {
        assertThat(invalid("")).contains("empty");
        assertThat(invalid("- just\n- a list")).contains("mapping");
        assertThat(invalid("variants: [unclosed")).contains("not valid YAML");
        assertThat(invalid("{}")).contains("variants");
    }

    @Test
    void theNameOriginalIsReserved() {
        assertThat(invalid("variants: [{name: original, technique: quantize, params: {mode: fp16}}]")).contains("name");
    }

    @Test
    void defaultRecipeMakesEveryTechniqueAndOneChain() {
        RecipeParser.Valid recipe = RecipeParser.defaultRecipe();
        assertThat(recipe.plan()).extracting(PlannedStep::technique)
                .contains(Technique.QUANTIZE, Technique.PRUNE, Technique.DISTILL);
        assertThat(recipe.plan()).anySatisfy(step -> assertThat(step.startsFromOriginal()).isFalse());
    }

    @Test
    void runIdDependsOnModelAndRecipeOnly() {
        String model = "a".repeat(64);
        String recipe = "b".repeat(64);
        assertThat(RunIds.runId(model, recipe)).isEqualTo(RunIds.runId(model, recipe)).matches("run-[0-9a-f]{20}");
        assertThat(RunIds.runId(model, recipe)).isNotEqualTo(RunIds.runId(model, "c".repeat(64)));
    }
}
