package dev.verdant.events;

import java.time.Instant;
import java.util.List;

/** An upload passed validation: a run starts, with its plan of variants. */
public record ModelIngested(
        String runId,
        String modelSha256,
        Artifact model,
        Artifact tokenizer,
        Recipe recipe,
        String recipeSha256,
        RecipeSource recipeSource,
        List<PlannedStep> plan,
        Upload upload,
        GraphSummary graph,
        Architecture architecture,
        Instant ingestedAt) implements VerdantEvent {

    public ModelIngested {
        plan = List.copyOf(plan);
    }

    @Override
    public String partitionKey() {
        return runId;
    }

    public enum RecipeSource implements WireEnum {
        UPLOADED, DEFAULT;

        @com.fasterxml.jackson.annotation.JsonValue
        @Override
        public String wireName() {
            return WireEnum.of(this);
        }
    }

    /** A graph input or output: name, element type and shape (numbers or symbolic dimension names). */
    public record Tensor(String name, String elementType, List<String> shape) {
        public Tensor {
            shape = List.copyOf(shape);
        }
    }

    public record GraphSummary(int irVersion, int opsetVersion, String producer, List<Tensor> inputs,
            List<Tensor> outputs, int nodeCount, long parameters) {
        public GraphSummary {
            inputs = List.copyOf(inputs);
            outputs = List.copyOf(outputs);
        }
    }

    /** The transformer encoder found in the graph. */
    public record Architecture(String family, int layers, int hiddenSize, int attentionHeads, int ffnSize,
            int vocabularySize, Integer maxPositions, boolean hasTokenTypeInput) {
    }
}
