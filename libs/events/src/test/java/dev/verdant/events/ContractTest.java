package dev.verdant.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Keeps the Java types and schemas/ together: what the code emits validates, every schema has a
 * golden example that validates, and the example is exactly what the code emits (so a changed
 * record shows up as a changed example in review). Regenerate the examples after a deliberate,
 * additive change with {@code -Dverdant.regenerate-examples=true}.
 */
class ContractTest {
    private static final Map<EventType, VerdantEvent> SAMPLES = SampleEvents.all();
    private static final Path EXAMPLES = Path.of("../../schemas/examples");

    @Test
    void everyEventTypeHasASample() {
        assertThat(SAMPLES.keySet()).containsExactlyInAnyOrder(EventType.values());
    }

    @ParameterizedTest
    @EnumSource(EventType.class)
    void whatTheCodeEmitsValidatesAgainstItsSchema(EventType type) {
        assertThat(Schemas.validate(SAMPLES.get(type))).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(EventType.class)
    void goldenExampleValidatesAndEqualsWhatTheCodeEmits(EventType type) throws IOException {
        // Parsed back from bytes, so number nodes have the same types as the example's.
        JsonNode emitted = EventJson.readTree(EventJson.toBytes(SAMPLES.get(type)));
        if (Boolean.getBoolean("verdant.regenerate-examples")) {
            Files.writeString(EXAMPLES.resolve(SampleEvents.exampleFile(type)),
                    EventJson.toPrettyJson(SAMPLES.get(type)) + "\n");
        }
        JsonNode example = readExample(SampleEvents.exampleFile(type));
        assertThat(Schemas.validate(type.schemaFile(), example)).isEmpty();
        assertThat(example).isEqualTo(emitted);
    }

    @ParameterizedTest
    @EnumSource(EventType.class)
    void eventsSurviveTheCloudEventsRoundTrip(EventType type) {
        VerdantEvent event = SAMPLES.get(type);
        CloudEventCodec.Encoded encoded = CloudEventCodec.encode(event, "test", "id-1", SampleEvents.T);
        assertThat(encoded.topic()).isEqualTo(type.topic());
        assertThat(encoded.headers()).containsEntry("ce_type", type.ceType()).containsEntry("ce_specversion", "1.0")
                .containsEntry("ce_source", "/verdant/test").containsEntry("content-type", "application/json");
        if (event.runId() != null) {
            assertThat(encoded.headers()).containsEntry("ce_subject", event.runId()).containsEntry("ce_runid", event.runId());
        }
        CloudEventCodec.Decoded decoded = CloudEventCodec.decode(encoded.headers()::get, encoded.body());
        assertThat(decoded.event()).isEqualTo(event);
        assertThat(decoded.type()).isEqualTo(type);
        assertThat(decoded.time()).isEqualTo(SampleEvents.T);
    }

    @Test
    void recipeExampleAndDefaultRecipeValidate() throws IOException {
        assertThat(Schemas.validate(Schemas.RECIPE, readExample("recipe.json"))).isEmpty();
        assertThat(RecipeParser.defaultRecipe().plan()).isNotEmpty();
    }

    @Test
    void everySchemaFileHasAnExample() throws IOException {
        try (Stream<Path> schemas = Files.list(EXAMPLES.getParent())) {
            schemas.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".schema.json") && !n.equals("common.schema.json"))
                    .forEach(n -> assertThat(EXAMPLES.resolve(n.replace(".schema.json", ".json"))).exists());
        }
    }

    @Test
    void aMissingRequiredFieldIsCaught() {
        JsonNode broken = EventJson.toTree(SAMPLES.get(EventType.MODEL_INGESTED));
        ((com.fasterxml.jackson.databind.node.ObjectNode) broken).remove("runId");
        assertThat(Schemas.validate(EventType.MODEL_INGESTED.schemaFile(), broken))
                .anySatisfy(m -> assertThat(m).contains("runId"));
    }

    private static JsonNode readExample(String name) throws IOException {
        Path file = EXAMPLES.resolve(name);
        assertThat(file).as("golden example %s", file).exists();
        return EventJson.mapper().readTree(file.toFile());
    }
}
