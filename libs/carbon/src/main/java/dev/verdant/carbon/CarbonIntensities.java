package dev.verdant.carbon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Grid carbon intensity (gCO2e/kWh) of a region, with its source, from the packaged tables.
 *
 * <p>How a region is written (case does not matter):
 * <table>
 *   <caption>regions</caption>
 *   <tr><th>region</th><th>table</th><th>source tag</th></tr>
 *   <tr><td>{@code FRA} (ISO 3166 alpha-3)</td><td>CodeCarbon global_energy_mix.json, carbon_intensity
 *       of the country (OWID/Ember; year 2021-2023 by country)</td><td>codecarbon:global_energy_mix (2023)</td></tr>
 *   <tr><td>{@code WLD}</td><td>OWID, the "World" row, latest year (2021: 442.4)</td><td>owid (2021)</td></tr>
 *   <tr><td>{@code owid:FRA} or {@code owid:France}</td><td>OWID, latest year of that country (the second source;
 *       ISO codes map to OWID's names through global_energy_mix's country_name)</td><td>owid (2021)</td></tr>
 *   <tr><td>{@code gcp:europe-west1}</td><td>CodeCarbon impact.csv (Google's region-carbon figures)</td>
 *       <td>codecarbon:impact.csv gcp (cloud.google.com)</td></tr>
 *   <tr><td>{@code aws:us-east-1}, {@code azure:westeurope}</td><td>CodeCarbon impact.csv of 2022 (figures of about
 *       2018-2020, since removed upstream)</td><td>codecarbon:impact.csv 2022, legacy (eGRID)</td></tr>
 * </table>
 *
 * <p>Why WLD is OWID's World row and not CodeCarbon's {@code world_average} of 475 (IEA, 2019): the
 * country figures come from OWID/Ember too, so the world figure uses the same method and a recent
 * year. 475 stays available as an explicit {@link Fallback}.
 *
 * <p>An unknown region is an {@link IntensityLookup.UnknownRegion} naming the region and the syntax
 * above; {@link #lookupOr} is the explicit way to fall back to a world figure instead.
 */
public final class CarbonIntensities {
    public static final String WORLD = "WLD";
    static final String ENERGY_MIX = "global_energy_mix.json";
    static final String IMPACT = "impact.csv";
    static final String IMPACT_LEGACY = "impact_legacy_2022_aws_azure_gcp.csv";
    static final String OWID = "owid_carbon_intensity_electricity.csv";
    static final String PER_SOURCE = "carbon_intensity_per_source.json";

    private static final String OWID_WORLD = "World";
    /**
     * OWID names that global_energy_mix writes differently or lacks. Kosovo has no ISO 3166 code;
     * XKX is the code the EU and the World Bank use for it.
     */
    private static final Map<String, String> OWID_NAME_TO_ISO = Map.of("faeroe islands", "FRO", "kosovo", "XKX",
            "world", WORLD);
    private static final List<String> CLOUD_PROVIDERS = List.of("gcp", "aws", "azure");
    private static final String HOW_TO_WRITE = "write an ISO 3166 alpha-3 country code (e.g. FRA, USA, DEU), "
            + "WLD for the world, owid:<alpha-3 or country name> for Our World in Data's figure, "
            + "or a cloud region as provider:region (gcp:europe-west1; legacy aws:us-east-1, azure:westeurope)";

    private static volatile CarbonIntensities packaged;

    private final Map<String, Country> countries;
    private final Map<String, String> isoByLowerName;
    private final Map<String, OwidLatest> owidByLowerName;
    private final Map<String, Intensity> cloudRegions;
    private final Map<String, Place> cloudPlaces;
    private final Intensity codeCarbonWorldAverage;

    private record Country(String iso, String name, int year, double gPerKwh) {
    }

    private record OwidLatest(String name, int year, double gPerKwh) {
    }

    /**
     * Where a region is, in CodeCarbon's emissions.csv terms.
     *
     * @param countryName e.g. "France", "World"; null when unknown
     * @param countryIsoCode ISO alpha-3 (WLD for the world); null when unknown
     * @param cloudProvider gcp, aws, azure; null off the cloud
     * @param cloudRegion e.g. europe-west1; null off the cloud
     */
    public record Place(String countryName, String countryIsoCode, String cloudProvider, String cloudRegion) {
        public boolean onCloud() {
            return cloudProvider != null;
        }
    }

    /** What to use instead of an unknown region, chosen explicitly by the caller. */
    public enum Fallback {
        /** {@code WLD}: OWID's World row, latest year. */
        WORLD,
        /** CodeCarbon's world_average, 475 gCO2e/kWh (IEA Global Energy & CO2 Status Report 2019). */
        CODECARBON_WORLD_AVERAGE
    }

    private CarbonIntensities(Map<String, Country> countries, Map<String, OwidLatest> owid,
            Map<String, Intensity> cloudRegions, Map<String, Place> cloudPlaces, Intensity codeCarbonWorldAverage) {
        this.countries = Collections.unmodifiableMap(countries);
        Map<String, String> names = new HashMap<>();
        countries.values().forEach(c -> names.put(c.name().toLowerCase(Locale.ROOT), c.iso()));
        names.putAll(OWID_NAME_TO_ISO);
        this.isoByLowerName = Collections.unmodifiableMap(names);
        this.owidByLowerName = Collections.unmodifiableMap(owid);
        this.cloudRegions = Collections.unmodifiableMap(cloudRegions);
        this.cloudPlaces = Collections.unmodifiableMap(cloudPlaces);
        this.codeCarbonWorldAverage = codeCarbonWorldAverage;
    }

    /** The tables packaged with this library (read once). */
    public static CarbonIntensities packaged() {
        CarbonIntensities tables = packaged;
        if (tables == null) {
            synchronized (CarbonIntensities.class) {
                if (packaged == null) {
                    packaged = read();
                }
                tables = packaged;
            }
        }
        return tables;
    }

    /** Resolves a region; never falls back silently. */
    public IntensityLookup lookup(String region) {
        if (region == null || region.isBlank()) {
            return new IntensityLookup.UnknownRegion(String.valueOf(region), "no region given: " + HOW_TO_WRITE);
        }
        String trimmed = region.strip();
        int colon = trimmed.indexOf(':');
        if (colon >= 0) {
            String provider = trimmed.substring(0, colon).toLowerCase(Locale.ROOT);
            String rest = trimmed.substring(colon + 1).strip();
            if (provider.equals("owid")) {
                return owid("owid:" + rest, rest);
            }
            if (CLOUD_PROVIDERS.contains(provider)) {
                String key = provider + ":" + rest.toLowerCase(Locale.ROOT);
                Intensity found = cloudRegions.get(key);
                return found != null ? new IntensityLookup.Found(found)
                        : unknown(trimmed, "no " + provider + " region '" + rest + "' in CodeCarbon's impact.csv"
                                + " (current or 2022 legacy)");
            }
            return unknown(trimmed, "unknown provider '" + provider + "'");
        }
        String upper = trimmed.toUpperCase(Locale.ROOT);
        if (upper.equals(WORLD)) {
            return owid(WORLD, OWID_WORLD);
        }
        Country country = countries.get(upper);
        if (country != null) {
            return new IntensityLookup.Found(new Intensity(country.iso(), country.gPerKwh(),
                    "codecarbon:global_energy_mix (" + country.year() + ")", country.year()));
        }
        if (OWID_NAME_TO_ISO.containsValue(upper)) {
            // Only OWID has it (Kosovo).
            return owid(upper, upper);
        }
        return unknown(trimmed, unknownCountryHint(trimmed, upper));
    }

    /**
     * The region's intensity, or the chosen fallback's figure with a source that says it stands in for
     * the unknown region (e.g. "fallback WLD for unknown region 'XYZ': owid (2021)"). The caller opts in.
     */
    public Intensity lookupOr(String region, Fallback fallback) {
        IntensityLookup lookup = lookup(region);
        if (lookup instanceof IntensityLookup.Found found) {
            return found.intensity();
        }
        Intensity stand = fallback(fallback);
        return new Intensity(region == null || region.isBlank() ? stand.region() : region.strip(), stand.gPerKwh(),
                "fallback " + stand.region() + " for unknown region '" + region + "': " + stand.source(), stand.year());
    }

    /** The figure a {@link Fallback} stands for. */
    public Intensity fallback(Fallback fallback) {
        return switch (fallback) {
            case WORLD -> ((IntensityLookup.Found) lookup(WORLD)).intensity();
            case CODECARBON_WORLD_AVERAGE -> codeCarbonWorldAverage;
        };
    }

    /** The ISO alpha-3 code of a country name as global_energy_mix writes it (plus OWID's spellings). */
    public Optional<String> isoCode(String countryName) {
        return Optional.ofNullable(countryName).map(n -> isoByLowerName.get(n.strip().toLowerCase(Locale.ROOT)));
    }

    /** The country name global_energy_mix gives an ISO alpha-3 code. */
    public Optional<String> countryName(String isoCode) {
        return Optional.ofNullable(isoCode).map(c -> countries.get(c.strip().toUpperCase(Locale.ROOT)))
                .map(Country::name);
    }

    /**
     * Where a region is (country, cloud provider and region), for emissions.csv. Countries and WLD by
     * their code, cloud regions from impact.csv's country columns; unknown regions give empty.
     */
    public Optional<Place> place(String region) {
        IntensityLookup lookup = lookup(region);
        if (!(lookup instanceof IntensityLookup.Found found)) {
            return Optional.empty();
        }
        String key = found.intensity().region();
        Place cloud = cloudPlaces.get(key);
        if (cloud != null) {
            return Optional.of(cloud);
        }
        if (key.equals(WORLD)) {
            return Optional.of(new Place(OWID_WORLD, WORLD, null, null));
        }
        String countryPart = key.startsWith("owid:") ? key.substring(5) : key;
        String upper = countryPart.toUpperCase(Locale.ROOT);
        String iso = countries.containsKey(upper) || OWID_NAME_TO_ISO.containsValue(upper) ? upper
                : isoCode(countryPart).orElse(null);
        if (WORLD.equals(iso)) {
            return Optional.of(new Place(OWID_WORLD, WORLD, null, null));
        }
        String name = iso == null ? countryPart : countryName(iso).orElseGet(() -> owidName(iso));
        return Optional.of(new Place(name, iso, null, null));
    }

    /** OWID's spelling of a country only OWID has (Kosovo), by the code Verdant gives it. */
    private String owidName(String iso) {
        return OWID_NAME_TO_ISO.entrySet().stream().filter(e -> e.getValue().equals(iso))
                .map(e -> owidByLowerName.get(e.getKey())).filter(java.util.Objects::nonNull)
                .map(OwidLatest::name).findFirst().orElse(null);
    }

    /** ISO codes of global_energy_mix. */
    public Set<String> countryCodes() {
        return Collections.unmodifiableSet(new java.util.TreeSet<>(countries.keySet()));
    }

    /** Cloud regions known, as provider:region. */
    public Set<String> cloudRegions() {
        return Collections.unmodifiableSet(new java.util.TreeSet<>(cloudRegions.keySet()));
    }

    /** OWID's latest figure for a country name or ISO alpha-3 code; {@code region} is how the result is labelled. */
    private IntensityLookup owid(String region, String countryOrIso) {
        String name = countryOrIso;
        if (countryOrIso.length() == 3 && countryOrIso.chars().allMatch(Character::isLetter)) {
            String iso = countryOrIso.toUpperCase(Locale.ROOT);
            Country country = countries.get(iso);
            if (country != null) {
                name = country.name();
            } else {
                name = OWID_NAME_TO_ISO.entrySet().stream().filter(e -> e.getValue().equals(iso))
                        .map(Map.Entry::getKey).findFirst().orElse(countryOrIso);
            }
        }
        OwidLatest latest = owidByLowerName.get(name.toLowerCase(Locale.ROOT));
        if (latest == null) {
            // global_energy_mix's spelling of a country OWID spells differently (Faroe / Faeroe Islands)
            String iso = isoByLowerName.get(name.toLowerCase(Locale.ROOT));
            latest = OWID_NAME_TO_ISO.entrySet().stream().filter(e -> e.getValue().equals(iso))
                    .map(e -> owidByLowerName.get(e.getKey())).findFirst().orElse(null);
        }
        if (latest == null) {
            return unknown(region, "Our World in Data has no country or aggregate '" + countryOrIso + "'");
        }
        return new IntensityLookup.Found(new Intensity(region, latest.gPerKwh(), "owid (" + latest.year() + ")",
                latest.year()));
    }

    private String unknownCountryHint(String given, String upper) {
        if (upper.length() == 2) {
            try {
                String iso3 = new Locale("", upper).getISO3Country();
                if (!iso3.isEmpty()) {
                    return "'" + given + "' looks like an ISO alpha-2 code; Verdant uses alpha-3 (" + iso3 + ")";
                }
            } catch (java.util.MissingResourceException ignored) {
                // not an alpha-2 code either: the general message below
            }
        }
        Optional<String> byName = isoCode(given);
        if (byName.isPresent()) {
            return "'" + given + "' is a country name; write its ISO alpha-3 code " + byName.get();
        }
        return "no country with ISO alpha-3 code '" + given + "' in CodeCarbon's global_energy_mix.json";
    }

    private static IntensityLookup unknown(String region, String what) {
        return new IntensityLookup.UnknownRegion(region, "unknown region '" + region + "': " + what + ". "
                + Character.toUpperCase(HOW_TO_WRITE.charAt(0)) + HOW_TO_WRITE.substring(1) + ".");
    }

    // ---- reading the packaged tables ----

    private static CarbonIntensities read() {
        ObjectMapper json = new ObjectMapper();
        Map<String, Country> countries = new TreeMap<>();
        try (InputStream in = DataFiles.open(ENERGY_MIX)) {
            JsonNode root = json.readTree(in);
            for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                JsonNode c = e.getValue();
                if (!c.path("carbon_intensity").isNumber() || !c.path("year").canConvertToInt()) {
                    throw new IllegalStateException(ENERGY_MIX + ": " + e.getKey() + " has no numeric carbon_intensity/year");
                }
                countries.put(e.getKey(), new Country(e.getKey(), c.path("country_name").asText(),
                        c.path("year").asInt(), c.path("carbon_intensity").asDouble()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + ENERGY_MIX, e);
        }

        Map<String, OwidLatest> owid = new HashMap<>();
        List<List<String>> owidRows = DataFiles.csv(OWID);
        requireHeader(OWID, owidRows, List.of("country", "year", "carbon_intensity_gco2_per_kwh"));
        for (List<String> row : owidRows.subList(1, owidRows.size())) {
            OwidLatest candidate = new OwidLatest(row.get(0), Integer.parseInt(row.get(1)), Double.parseDouble(row.get(2)));
            owid.merge(candidate.name().toLowerCase(Locale.ROOT), candidate, (a, b) -> b.year() > a.year() ? b : a);
        }

        Map<String, Intensity> cloud = new HashMap<>();
        Map<String, Place> places = new HashMap<>();
        readImpact(IMPACT, false, cloud, places);
        readImpact(IMPACT_LEGACY, true, cloud, places);

        Intensity codeCarbonWorld;
        try (InputStream in = DataFiles.open(PER_SOURCE)) {
            JsonNode root = json.readTree(in);
            codeCarbonWorld = new Intensity(WORLD, root.path("world_average").asDouble(),
                    "codecarbon:carbon_intensity_per_source world_average (" + host(root.path("world_average_source")
                            .asText()) + ")", null);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + PER_SOURCE, e);
        }
        return new CarbonIntensities(countries, owid, cloud, places, codeCarbonWorld);
    }

    /** Current rows win: a legacy row is only used for a region the current file lacks. */
    private static void readImpact(String file, boolean legacy, Map<String, Intensity> into, Map<String, Place> places) {
        List<List<String>> rows = DataFiles.csv(file);
        requireHeader(file, rows, List.of("provider", "providerName", "offsetRatio", "region", "regionName",
                "country_name", "countryIsoCode", "state", "city", "impact", "source", "comment"));
        for (List<String> row : rows.subList(1, rows.size())) {
            if (row.size() < 11) {
                throw new IllegalStateException(file + ": a row has " + row.size() + " fields: " + row);
            }
            String key = row.get(0).strip().toLowerCase(Locale.ROOT) + ":" + row.get(3).strip().toLowerCase(Locale.ROOT);
            String origin = row.get(10).isBlank() ? "source not given" : host(row.get(10).strip());
            String source = legacy ? "codecarbon:impact.csv 2022, legacy (" + origin + ")"
                    : "codecarbon:impact.csv " + row.get(0).strip() + " (" + origin + ")";
            if (into.putIfAbsent(key, new Intensity(key, Double.parseDouble(row.get(9).strip()), source, null)) == null) {
                places.put(key, new Place(blankToNull(row.get(5)), blankToNull(row.get(6)), row.get(0).strip(),
                        row.get(3).strip()));
            }
        }
    }

    private static String blankToNull(String text) {
        return text == null || text.isBlank() ? null : text.strip();
    }

    private static void requireHeader(String file, List<List<String>> rows, List<String> header) {
        if (rows.isEmpty() || !rows.get(0).equals(header)) {
            throw new IllegalStateException(file + " does not start with the header " + String.join(",", header));
        }
    }

    /** A URL shortened to its host, for a readable source tag; other text unchanged. */
    private static String host(String source) {
        if (source.startsWith("http://") || source.startsWith("https://")) {
            try {
                String host = URI.create(source.replace(" ", "%20")).getHost();
                if (host != null) {
                    return host.startsWith("www.") ? host.substring(4) : host;
                }
            } catch (IllegalArgumentException ignored) {
                // keep the text as it is
            }
        }
        return source;
    }
}
