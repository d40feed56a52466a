package dev.verdant.carbon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * Electricity Maps' latest carbon intensity of a zone (API v3,
 * {@code GET https://api.electricitymap.org/v3/carbon-intensity/latest?zone=FR} with the header
 * {@code auth-token}). Configured by a token ({@value #TOKEN_ENV}); without one every call answers
 * {@link LiveIntensitySource.Unavailable} and sends nothing. Tests never call it (no network here):
 * they check {@link #read} on a recorded answer.
 */
public final class ElectricityMapsClient implements LiveIntensitySource {
    public static final String TOKEN_ENV = "ELECTRICITYMAPS_TOKEN";
    public static final URI DEFAULT_BASE = URI.create("https://api.electricitymap.org/v3/");
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Optional<String> token;
    private final URI base;
    private volatile HttpClient http;

    public ElectricityMapsClient(Optional<String> token, URI base) {
        this.token = token.filter(t -> !t.isBlank());
        this.base = base;
    }

    /** Token from the environment variable {@value #TOKEN_ENV}; absent means not configured. */
    public static ElectricityMapsClient fromEnvironment() {
        return new ElectricityMapsClient(Optional.ofNullable(System.getenv(TOKEN_ENV)), DEFAULT_BASE);
    }

    public boolean configured() {
        return token.isPresent();
    }

    @Override
    public LiveReading latest(String zone) {
        if (token.isEmpty()) {
            return new Unavailable(zone, "Electricity Maps is not configured: set " + TOKEN_ENV);
        }
        URI uri = base.resolve("carbon-intensity/latest?zone=" + URLEncoder.encode(zone, StandardCharsets.UTF_8));
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(TIMEOUT).header("auth-token", token.get()).GET().build();
        try {
            HttpResponse<String> response = client().send(request, HttpResponse.BodyHandlers.ofString());
            return read(zone, response.statusCode(), response.body());
        } catch (IOException e) {
            return new Unavailable(zone, "Electricity Maps did not answer: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Unavailable(zone, "interrupted while asking Electricity Maps");
        }
    }

    /**
     * Reads an answer: {@code {"zone":"FR","carbonIntensity":33,"datetime":"...","emissionFactorType":"lifecycle",...}}.
     */
    static LiveReading read(String zone, int status, String body) {
        if (status != 200) {
            return new Unavailable(zone, "Electricity Maps answered HTTP " + status + ": " + abbreviate(body));
        }
        try {
            JsonNode root = JSON.readTree(body);
            JsonNode value = root.path("carbonIntensity");
            if (!value.isNumber()) {
                return new Unavailable(zone, "Electricity Maps' answer has no numeric carbonIntensity: " + abbreviate(body));
            }
            Instant at = Instant.parse(root.path("datetime").asText());
            String factor = root.path("emissionFactorType").asText("lifecycle");
            String estimated = root.path("isEstimated").asBoolean(false) ? ", estimated" : "";
            Intensity intensity = new Intensity("electricitymaps:" + root.path("zone").asText(zone), value.asDouble(),
                    "electricitymaps:latest (" + factor + estimated + ", " + at + ")",
                    at.atZone(java.time.ZoneOffset.UTC).getYear());
            return new Live(intensity, at);
        } catch (IOException | DateTimeParseException | IllegalArgumentException e) {
            return new Unavailable(zone, "cannot read Electricity Maps' answer (" + e.getMessage() + "): " + abbreviate(body));
        }
    }

    private HttpClient client() {
        HttpClient client = http;
        if (client == null) {
            synchronized (this) {
                if (http == null) {
                    http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
                }
                client = http;
            }
        }
        return client;
    }

    private static String abbreviate(String body) {
        String text = body == null ? "" : body.strip();
        return text.length() <= 200 ? text : text.substring(0, 200) + "...";
    }
}
