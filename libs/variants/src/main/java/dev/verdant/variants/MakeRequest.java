package dev.verdant.variants;

import dev.verdant.events.ModelIngested;
import java.nio.file.Path;
import java.util.Map;

/**
 * One variant to make.
 *
 * @param run the run (its plan, recipe and architecture)
 * @param variantId the planned step's name
 * @param parameters the step's parameters from the recipe
 * @param input the model to start from (the original, or an earlier variant of the run)
 * @param tokenizer the tokenizer.json that goes with the input
 * @param output where to write the variant
 * @param workDir a private scratch folder, deleted after the job
 */
public record MakeRequest(ModelIngested run, String variantId, Map<String, Object> parameters, Path input,
        Path tokenizer, Path output, Path workDir) {

    public MakeRequest {
        parameters = Map.copyOf(parameters);
    }
}
