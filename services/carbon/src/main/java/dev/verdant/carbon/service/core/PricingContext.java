package dev.verdant.carbon.service.core;

import dev.verdant.carbon.CarbonIntensities;
import dev.verdant.carbon.Intensity;
import dev.verdant.carbon.IntensityLookup;
import dev.verdant.carbon.Pue;
import dev.verdant.events.ModelIngested;
import dev.verdant.events.Recipe;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A run's carbon context, from its recipe: the grid intensity of its region, the PUE and the expected
 * traffic. Decision for bad input: an unknown region does not stop the run; it is priced with the
 * world average (OWID's World row, {@link CarbonIntensities#WORLD}), the ledger's intensitySource says
 * "fallback WLD for unknown region ...", and the report carries a note saying how to write a region
 * Verdant knows. Refusing would throw away the whole run's work for a typo in one recipe field.
 *
 * @param regionAsWritten the recipe's region (null when the recipe names none)
 * @param notes what the report must say about this context (fallbacks); empty when nothing
 */
public record PricingContext(String regionAsWritten, Intensity intensity, Pue pue, double inferencesPerDay,
        List<String> notes) {

    public PricingContext {
        notes = List.copyOf(notes);
    }

    /** The context of a run, never failing: anything unusable falls back and says so in a note. */
    public static PricingContext of(ModelIngested run, CarbonIntensities intensities) {
        List<String> notes = new ArrayList<>();
        Recipe.Carbon carbon = run.recipe() == null ? null : run.recipe().carbon();
        String region = carbon == null ? null : carbon.region();
        IntensityLookup lookup = intensities.lookup(region);
        Intensity intensity;
        if (lookup instanceof IntensityLookup.Found found) {
            intensity = found.intensity();
        } else {
            intensity = intensities.lookupOr(region, CarbonIntensities.Fallback.WORLD);
            notes.add(String.format(Locale.ROOT, "region '%s' is unknown: priced with the world average, %.1f gCO2e/kWh"
                    + " (%s). To price with your grid, %s", region, intensity.gPerKwh(), intensity.source(),
                    ((IntensityLookup.UnknownRegion) lookup).message()));
        }
        Pue pue = Pue.DEFAULT;
        if (carbon != null) {
            if (Double.isFinite(carbon.pue()) && carbon.pue() >= 1.0) {
                pue = Pue.of(carbon.pue());
            } else {
                notes.add("recipe PUE " + carbon.pue() + " is not a PUE (at least 1.0): priced with 1.0, CodeCarbon's"
                        + " default; set carbon.pue to your data centre's figure");
            }
        }
        double traffic = carbon == null || !Double.isFinite(carbon.inferencesPerDay()) || carbon.inferencesPerDay() < 0
                ? 0 : carbon.inferencesPerDay();
        if (carbon == null) {
            notes.add("the recipe has no carbon context: world average intensity, PUE 1.0, no traffic (no payback)");
        }
        return new PricingContext(region, intensity, pue, traffic, notes);
    }
}
