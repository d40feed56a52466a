package dev.verdant.carbon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CarbonIntensitiesTest {
    private final CarbonIntensities tables = CarbonIntensities.packaged();

    private Intensity found(String region) {
        IntensityLookup lookup = tables.lookup(region);
        assertThat(lookup).as(region).isInstanceOf(IntensityLookup.Found.class);
        return ((IntensityLookup.Found) lookup).intensity();
    }

    @ParameterizedTest(name = "{0}: {1} gCO2e/kWh")
    @CsvSource({
            // the shared data README's examples (rounded to 0.1) and the file's exact figure
            "FRA, 56.0, 56.039",
            "USA, 369.5, 369.473",
            "DEU, 381.0, 380.95",
            "CHN, 582.3, 582.317",
            "IND, 713.4, 713.441"})
    void countriesComeFromCodeCarbonsEnergyMix(String iso, double rounded, double exact) {
        Intensity intensity = found(iso);
        assertThat(intensity.gPerKwh()).isCloseTo(rounded, within(0.05)).isCloseTo(exact, within(1e-9));
        assertThat(intensity.region()).isEqualTo(iso);
        assertThat(intensity.source()).isEqualTo("codecarbon:global_energy_mix (" + intensity.year() + ")");
    }

    @Test
    void codesAreCaseInsensitiveAndNormalised() {
        Intensity fra = found(" fra ");
        assertThat(fra.region()).isEqualTo("FRA");
        assertThat(fra.year()).isEqualTo(2023);
        assertThat(fra.kgPerKwh()).isCloseTo(0.056039, within(1e-12));
    }

    @Test
    void gcpRegionsComeFromImpactCsv() {
        Intensity belgium = found("gcp:europe-west1");
        assertThat(belgium.gPerKwh()).isEqualTo(122.0);
        assertThat(belgium.source()).isEqualTo("codecarbon:impact.csv gcp (cloud.google.com)");
        assertThat(belgium.year()).isNull();
        assertThat(found("GCP:Europe-West1").region()).isEqualTo("gcp:europe-west1");
        assertThat(tables.place("gcp:europe-west1"))
                .contains(new CarbonIntensities.Place("Belgium", "BEL", "gcp", "europe-west1"));
    }

    @Test
    void awsAndAzureAreMarkedLegacy() {
        Intensity virginia = found("aws:us-east-1");
        assertThat(virginia.gPerKwh()).isEqualTo(367.8);
        assertThat(virginia.source()).isEqualTo("codecarbon:impact.csv 2022, legacy (eGRID)");
        assertThat(found("azure:westcentralus").source()).isEqualTo("codecarbon:impact.csv 2022, legacy (source not given)");
        assertThat(found("azure:eastasia").source()).contains("legacy").contains("sciencedirect.com");
    }

    @Test
    void worldIsOwidsWorldRowOfItsLatestYear() {
        Intensity world = found("WLD");
        assertThat(world.gPerKwh()).isEqualTo(442.369);
        assertThat(world.year()).isEqualTo(2021);
        assertThat(world.source()).isEqualTo("owid (2021)");
        assertThat(tables.place("WLD")).contains(new CarbonIntensities.Place("World", "WLD", null, null));
    }

    @Test
    void owidIsTheSecondSourceByIsoCodeOrName() {
        // OWID 2021 examples of the data README: France 67.8, United States 378.6, Germany 364.0
        assertThat(found("owid:FRA").gPerKwh()).isCloseTo(67.8, within(0.05));
        assertThat(found("owid:France").gPerKwh()).isCloseTo(67.8, within(0.05));
        assertThat(found("owid:USA").gPerKwh()).isCloseTo(378.6, within(0.05));
        assertThat(found("owid:deu").gPerKwh()).isCloseTo(364.0, within(0.05));
        assertThat(found("owid:Europe").source()).isEqualTo("owid (2021)");
        // spelled differently in the two tables: Faroe (CodeCarbon) / Faeroe (OWID) Islands
        assertThat(found("owid:FRO").gPerKwh()).isPositive();
        assertThat(found("owid:Faroe Islands").gPerKwh()).isEqualTo(found("owid:Faeroe Islands").gPerKwh());
        // only OWID has Kosovo; Verdant writes it XKX
        assertThat(found("XKX").source()).startsWith("owid");
        assertThat(tables.place("XKX")).contains(new CarbonIntensities.Place("Kosovo", "XKX", null, null));
        assertThat(tables.isoCode("France")).contains("FRA");
        assertThat(tables.countryName("FRA")).contains("France");
    }

    @Test
    void anUnknownRegionIsAnErrorValueThatSaysHowToWriteOne() {
        IntensityLookup lookup = tables.lookup("XYZ");
        assertThat(lookup).isInstanceOf(IntensityLookup.UnknownRegion.class);
        IntensityLookup.UnknownRegion unknown = (IntensityLookup.UnknownRegion) lookup;
        assertThat(unknown.region()).isEqualTo("XYZ");
        assertThat(unknown.message()).startsWith("unknown region 'XYZ': no country with ISO alpha-3 code 'XYZ'")
                .contains("ISO 3166 alpha-3 country code (e.g. FRA").contains("WLD").contains("gcp:europe-west1");
        assertThat(tables.place("XYZ")).isEmpty();
    }

    @Test
    void commonMistakesGetAHint() {
        assertThat(((IntensityLookup.UnknownRegion) tables.lookup("FR")).message()).contains("alpha-2").contains("FRA");
        assertThat(((IntensityLookup.UnknownRegion) tables.lookup("France")).message())
                .contains("country name").contains("FRA");
        assertThat(((IntensityLookup.UnknownRegion) tables.lookup("gcp:mars-north1")).message())
                .contains("no gcp region 'mars-north1'");
        assertThat(((IntensityLookup.UnknownRegion) tables.lookup("ovh:gra")).message()).contains("unknown provider 'ovh'");
        assertThat(((IntensityLookup.UnknownRegion) tables.lookup("owid:Atlantis")).message()).contains("Atlantis");
        assertThat(tables.lookup("")).isInstanceOf(IntensityLookup.UnknownRegion.class);
        assertThat(tables.lookup(null)).isInstanceOf(IntensityLookup.UnknownRegion.class);
    }

    @Test
    void fallbackIsExplicitAndSaysWhatItStandsFor() {
        Intensity world = tables.lookupOr("XYZ", CarbonIntensities.Fallback.WORLD);
        assertThat(world.region()).isEqualTo("XYZ");
        assertThat(world.gPerKwh()).isEqualTo(442.369);
        assertThat(world.source()).isEqualTo("fallback WLD for unknown region 'XYZ': owid (2021)");
        Intensity codeCarbon = tables.lookupOr("XYZ", CarbonIntensities.Fallback.CODECARBON_WORLD_AVERAGE);
        assertThat(codeCarbon.gPerKwh()).isEqualTo(475.0);
        assertThat(codeCarbon.source()).contains("world_average").contains("iea.org");
        // a known region is never replaced
        assertThat(tables.lookupOr("FRA", CarbonIntensities.Fallback.WORLD)).isEqualTo(found("FRA"));
    }

    @Test
    void everyCountryOfTheEnergyMixIsAlsoInOwid() {
        // the mapping ISO <-> OWID name works for every country CodeCarbon lists, except the five
        // territories OWID's 2022 table does not have
        long missing = tables.countryCodes().stream()
                .filter(iso -> !(tables.lookup("owid:" + iso) instanceof IntensityLookup.Found)).count();
        assertThat(missing).isEqualTo(5);
    }
}
