package dev.verdant.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The JSON Schemas of schemas/, read from the classpath (module verdant-schemas). Schema ids are
 * https://verdant.dev/schemas/NAME; they resolve to the packaged files, never to the network.
 */
public final class Schemas {
    static final String ID_PREFIX = "https://verdant.dev/schemas/";
    public static final String RECIPE = "recipe.schema.json";

    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012,
            builder -> builder.schemaMappers(m -> m.mapPrefix(ID_PREFIX, "classpath:schemas/")));
    private static final SchemaValidatorsConfig CONFIG = SchemaValidatorsConfig.builder()
            .formatAssertionsEnabled(true)
            .build();
    private static final Map<String, JsonSchema> CACHE = new ConcurrentHashMap<>();

    private Schemas() {
    }

    /**
     * Validates a JSON document against one schema file (e.g. "recipe.schema.json").
     *
     * @return the problems, each as "path: message"; empty when the document is valid
     */
    public static List<String> validate(String schemaFile, JsonNode document) {
        JsonSchema schema = CACHE.computeIfAbsent(schemaFile,
                f -> FACTORY.getSchema(SchemaLocation.of(ID_PREFIX + f), CONFIG));
        return schema.validate(document).stream()
                .map(ValidationMessage::getMessage)
                .sorted()
                .toList();
    }

    /** Validates an event's JSON form against the schema of its type. */
    public static List<String> validate(VerdantEvent event) {
        return validate(event.type().schemaFile(), EventJson.toTree(event));
    }
}
