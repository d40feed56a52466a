package dev.verdant.variants;

import java.util.List;
import java.util.Map;

/** What a {@link VariantMaker} did. */
public sealed interface MakeResult permits MakeResult.Made, MakeResult.Failed {

    /**
     * The variant is written.
     *
     * @param parameters the parameters as applied (defaults resolved), recorded on the event
     * @param notes what a person should know (e.g. nodes left in float, why a weight was skipped)
     */
    record Made(Map<String, Object> parameters, List<String> notes) implements MakeResult {
        public Made {
            parameters = Map.copyOf(parameters);
            notes = List.copyOf(notes);
        }
    }

    /**
     * The technique cannot make this variant from this model.
     *
     * @param reason an upper-case code (e.g. NO_QUANTIZABLE_MATMUL)
     * @param message what is wrong and what to do, for a person
     */
    record Failed(String reason, String message) implements MakeResult {
    }
}
