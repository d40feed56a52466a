package dev.verdant.variants;

import dev.verdant.events.JobUsage;
import dev.verdant.events.Technique;
import java.io.IOException;
import java.util.Map;

/**
 * One technique's way of making a variant from a model file: what a technique service plugs into
 * {@link RunVariants}. Implementations are pure: files in, file out, no messaging, no storage.
 */
public interface VariantMaker {

    /** The recipe technique this maker owns; steps of other techniques are left to other services. */
    Technique technique();

    /** The ledger's name for this kind of job. */
    JobUsage.Kind jobKind();

    /**
     * Checks a step's parameters before anything is downloaded.
     *
     * @throws IllegalArgumentException naming the parameter and the values allowed
     */
    default void check(Map<String, Object> parameters) {
    }

    /**
     * Makes the variant: reads {@link MakeRequest#input()}, writes {@link MakeRequest#output()}.
     * A model the technique cannot handle is a {@link MakeResult.Failed}, not an exception.
     */
    MakeResult make(MakeRequest request) throws IOException;
}
