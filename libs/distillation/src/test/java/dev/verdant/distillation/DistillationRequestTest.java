package dev.verdant.distillation;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DistillationRequestTest {

    @Test
    void everyRecipeKeyIsRead() {
        Map<String, Object> params = new HashMap<>();
        params.put("layers", 3);
        params.put("ffnSize", 1024);
        params.put("steps", 2500L);
        params.put("batchSize", 64.0);
        params.put("learningRate", 2e-4);
        params.put("temperature", 0.1);
        params.put("klWeight", 2);
        params.put("mseWeight", 0.5);
        params.put("seed", 7);
        DistillationRequest request = DistillationRequest.fromRecipeParams(params);
        assertThat(request.layers()).isEqualTo(3);
        assertThat(request.ffnSize()).isEqualTo(1024);
        assertThat(request.steps()).isEqualTo(2500);
        assertThat(request.batchSize()).isEqualTo(64);
        assertThat(request.learningRate()).isEqualTo(2e-4);
        assertThat(request.temperature()).isEqualTo(0.1);
        assertThat(request.klWeight()).isEqualTo(2.0);
        assertThat(request.mseWeight()).isEqualTo(0.5);
        assertThat(request.seed()).isEqualTo(7);
        assertThat(DistillationRequest.fromRecipeParams(request.recipeParams())).isEqualTo(request);
    }

    @Test
    void emptyParamsGiveTheDefaults() {
        assertThat(DistillationRequest.fromRecipeParams(Map.of())).isEqualTo(DistillationRequest.defaults());
        assertThat(DistillationRequest.fromRecipeParams(null)).isEqualTo(DistillationRequest.defaults());
        assertThat(DistillationRequest.defaults().effectiveWarmupSteps()).isEqualTo(200);
    }

    @Test
    void badValuesAreNamed() {
        assertThatThrownBy(() -> DistillationRequest.fromRecipeParams(Map.of("layer", 3)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown key 'layer'")
                .hasMessageContaining("layers");
        assertThatThrownBy(() -> DistillationRequest.fromRecipeParams(Map.of("layers", 0)))
                .hasMessageContaining("'layers' must be between 1 and 48, got 0");
        assertThatThrownBy(() -> DistillationRequest.fromRecipeParams(Map.of("steps", 2.5)))
                .hasMessageContaining("'steps' must be a whole number, got 2.5");
        assertThatThrownBy(() -> DistillationRequest.fromRecipeParams(Map.of("batchSize", "32")))
                .hasMessageContaining("'batchSize' must be a whole number, got the text \"32\"");
        assertThatThrownBy(() -> DistillationRequest.fromRecipeParams(Map.of("learningRate", 0)))
                .hasMessageContaining("'learningRate' must be above 0.0 and at most 1.0, got 0");
        assertThatThrownBy(() -> DistillationRequest.fromRecipeParams(Map.of("temperature", 101)))
                .hasMessageContaining("'temperature'");
        assertThatThrownBy(() -> DistillationRequest.fromRecipeParams(Map.of("klWeight", -1)))
                .hasMessageContaining("'klWeight' must be at least 0.0");
        assertThatThrownBy(() -> DistillationRequest.fromRecipeParams(Map.of("klWeight", 0, "mseWeight", 0)))
                .hasMessageContaining("both 0");
    }
}
