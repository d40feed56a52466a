package dev.verdant.carbon;

/**
 * When does an optimisation pay its own carbon back?
 * <pre>
 *   saving per inference [g]   = baseline [g/inference] - optimised [g/inference]
 *   daily saving [g/day]       = saving per inference x expected inferences per day
 *   payback [days]             = optimisation emissions [g] / daily saving
 *   yearly saving [kgCO2e/yr]  = daily saving x 365 / 1000
 * </pre>
 */
public final class CarbonPayback {
    public static final double DAYS_PER_YEAR = 365.0;

    private CarbonPayback() {
    }

    /** The answer: pays back after so many days, or never (no saving, or no traffic). */
    public sealed interface Payback {
    }

    /**
     * @param days days of traffic to break even
     * @param dailySavedG CO2e saved per day of traffic, g
     * @param yearlySavedKg CO2e saved per year of traffic, kg
     */
    public record PaysBack(double days, double dailySavedG, double yearlySavedKg) implements Payback {
    }

    public record NeverPaysBack(String why) implements Payback {
    }

    /**
     * @param optimisationG emissions of the optimisation work (every job that made and evaluated the variant)
     * @param baselineGPerInference emissions of one inference with the original model
     * @param optimisedGPerInference emissions of one inference with the variant
     * @param inferencesPerDay expected daily traffic
     */
    public static Payback of(double optimisationG, double baselineGPerInference, double optimisedGPerInference,
            double inferencesPerDay) {
        Quantities.requireNonNegative("optimisation emissions (g)", optimisationG);
        Quantities.requireNonNegative("baseline emissions per inference (g)", baselineGPerInference);
        Quantities.requireNonNegative("optimised emissions per inference (g)", optimisedGPerInference);
        Quantities.requireNonNegative("inferences per day", inferencesPerDay);
        double savingPerInference = baselineGPerInference - optimisedGPerInference;
        if (savingPerInference <= 0) {
            return new NeverPaysBack("the variant emits " + optimisedGPerInference + " g per inference, not less than"
                    + " the original's " + baselineGPerInference + " g: no saving to pay the optimisation back");
        }
        if (inferencesPerDay == 0) {
            return new NeverPaysBack("no expected traffic: a saving per inference never adds up");
        }
        double dailySavedG = savingPerInference * inferencesPerDay;
        return new PaysBack(optimisationG / dailySavedG, dailySavedG, dailySavedG * DAYS_PER_YEAR / 1000.0);
    }
}
