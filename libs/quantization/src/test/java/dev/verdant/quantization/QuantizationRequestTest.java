package dev.verdant.quantization;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QuantizationRequestTest {

    private static final Path TOKENIZER = Path.of("tokenizer.json");

    @Test
    void everyRecipeParamIsRead() {
        QuantizationRequest request = QuantizationRequest.fromRecipeParams(Map.of("mode", "static-int8", "perTensor", true,
                "calibration", "entropy", "calibrationSamples", 64, "blockSize", 128, "exclude", List.of("a", "b"), "smoothing", 0.7), TOKENIZER);

        assertThat(request.mode()).isEqualTo(QuantizationMode.STATIC_INT8);
        assertThat(request.options().perTensor()).isTrue();
        assertThat(request.calibration()).isEqualTo(CalibrationMethod.ENTROPY);
        assertThat(request.calibrationSamples()).isEqualTo(64);
        assertThat(request.blockSize()).isEqualTo(128);
        assertThat(request.options().excludedNodes()).containsExactlyInAnyOrder("a", "b");
        assertThat(request.smoothing()).isEqualTo(0.7);
        assertThat(request.tokenizer()).contains(TOKENIZER);
    }

    @Test
    void defaultsFollowTheSchema() {
        QuantizationRequest request = QuantizationRequest.fromRecipeParams(Map.of("mode", "int4"), null);
        assertThat(request.blockSize()).isEqualTo(32);
        assertThat(request.calibration()).isEqualTo(CalibrationMethod.MINMAX);
        assertThat(request.options().perTensor()).isFalse();
        assertThat(request.options().excludedNodes()).isEmpty();
        assertThat(request.tokenizer()).isEmpty();
        assertThat(request.smoothing()).isEqualTo(0.6);
        assertThat(QuantizationRequest.fromRecipeParams(Map.of("mode", "dynamic-int8", "smoothing", 0), null).smoothing()).isZero();
        assertThat(Quantizer.MODES).containsExactly("dynamic-int8", "static-int8", "fp16", "int4");
    }

    @Test
    void badValuesAreNamed() {
        assertThatThrownBy(() -> QuantizationRequest.fromRecipeParams(Map.of("perTensor", true), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'mode' is required");
        assertThatThrownBy(() -> QuantizationRequest.fromRecipeParams(Map.of("mode", "int2"), null))
                .hasMessageContaining("unknown quantization mode 'int2'").hasMessageContaining("dynamic-int8, static-int8, fp16, int4");
        assertThatThrownBy(() -> QuantizationRequest.fromRecipeParams(Map.of("mode", "int4", "blockSize", 48), null))
                .hasMessageContaining("'blockSize' is 48: use 32, 64 or 128");
        assertThatThrownBy(() -> QuantizationRequest.fromRecipeParams(Map.of("mode", "int4", "blockSize", "32"), null))
                .hasMessageContaining("'blockSize' must be an integer");
        assertThatThrownBy(() -> QuantizationRequest.fromRecipeParams(Map.of("mode", "fp16", "perTensor", "yes"), null))
                .hasMessageContaining("'perTensor' must be true or false");
        assertThatThrownBy(() -> QuantizationRequest.fromRecipeParams(Map.of("mode", "static-int8", "calibration", "kl"), TOKENIZER))
                .hasMessageContaining("unknown calibration method 'kl'");
        assertThatThrownBy(() -> QuantizationRequest.fromRecipeParams(Map.of("mode", "static-int8", "calibrationSamples", 0), TOKENIZER))
                .hasMessageContaining("'calibrationSamples' is 0: use 1 to 100000");
        assertThatThrownBy(() -> QuantizationRequest.fromRecipeParams(Map.of("mode", "fp16", "exclude", "a"), null))
                .hasMessageContaining("'exclude' must be a list");
        assertThatThrownBy(() -> QuantizationRequest.fromRecipeParams(Map.of("mode", "dynamic-int8", "smoothing", 1), null))
                .hasMessageContaining("'smoothing' is 1: use 0 (off) or SmoothQuant's alpha");
        assertThatThrownBy(() -> QuantizationRequest.fromRecipeParams(Map.of("mode", "dynamic-int8", "smoothing", "on"), null))
                .hasMessageContaining("'smoothing' must be a number");
        assertThatThrownBy(() -> QuantizationRequest.fromRecipeParams(Map.of("mode", "fp16", "bits", 4), null))
                .hasMessageContaining("unknown quantize param 'bits'");
        assertThatThrownBy(() -> QuantizationRequest.fromRecipeParams(Map.of("mode", "static-int8"), null))
                .hasMessageContaining("tokenizer.json");
        Map<String, Object> nullMode = new HashMap<>();
        nullMode.put("mode", null);
        assertThatThrownBy(() -> QuantizationRequest.fromRecipeParams(nullMode, null)).hasMessageContaining("'mode' is required");
    }

    @Test
    void staticFormsAreNamedAndAnUnknownOneListsThem() {
        assertThat(QuantizationRequest.of(QuantizationMode.STATIC_INT8).staticForm()).isEqualTo(StaticInt8Quantizer.DEFAULT_FORM);
        assertThat(StaticInt8Form.of("QDQ")).isEqualTo(StaticInt8Form.QDQ);
        assertThat(StaticInt8Form.of("MatMulIntegerToFloat")).isEqualTo(StaticInt8Form.MATMUL_INTEGER_TO_FLOAT);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> StaticInt8Form.of("qlinear"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("qlinear").hasMessageContaining("qdq, matmulintegertofloat, matmulinteger");
    }

    @Test
    void parametersNameTheEmbeddingAndScaleChoices() {
        QuantizationRequest request = QuantizationRequest.of(QuantizationMode.DYNAMIC_INT8);
        assertThat(request.describe()).contains("embeddings=uint8-per-tensor").contains("scales=mse");
        assertThat(request.withOptions(request.options().withPerColumnEmbeddings(true).withMseScales(false)).describe())
                .contains("embeddings=int8-per-column").contains("scales=max");
    }
}
