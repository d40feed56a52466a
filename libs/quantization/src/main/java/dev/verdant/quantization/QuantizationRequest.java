package dev.verdant.quantization;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What {@link Quantizer#quantize} should make.
 *
 * @param mode                 the quantization mode
 * @param options              weight granularity (per tensor / per column), range, embeddings, excluded nodes
 * @param blockSize            int4: weights per quantization block along K (32, 64 or 128)
 * @param calibration          static-int8: how activation ranges are chosen
 * @param calibrationSamples   static-int8: how many calibration sentences are run through the model
 * @param calibrationSentences static-int8: the texts; empty = the STS-B train sentences packaged in libs/evaluation
 * @param tokenizer            static-int8: the model's tokenizer.json (required there)
 * @param staticForm           static-int8: the graph form of each quantized MatMul
 * @param smoothing            dynamic- and static-int8: SmoothQuant's alpha for the layer-norm outputs that MatMuls
 *                             read ({@link Smoothing}; needs the tokenizer, calibrates on the same texts); 0 = off
 * @param fusion               every mode: residual Add + decomposed LayerNorm written as ONNX Runtime's
 *                             SkipLayerNormalization ({@link SkipLayerNormFusion}), each attention block as its
 *                             MultiHeadAttention ({@link AttentionFusion})
 */
public record QuantizationRequest(QuantizationMode mode, QuantizationOptions options, int blockSize,
        CalibrationMethod calibration, int calibrationSamples, List<String> calibrationSentences,
        Optional<Path> tokenizer, StaticInt8Form staticForm, double smoothing, boolean fusion) {

    public static final int DEFAULT_BLOCK_SIZE = 32;
    public static final List<Integer> BLOCK_SIZES = List.of(32, 64, 128);
    public static final int DEFAULT_CALIBRATION_SAMPLES = 256;
    public static final int MAX_CALIBRATION_SAMPLES = 100_000;
    /**
     * Chosen on the STS-B dev split by the rule the scales were chosen with (best Spearman, ties to the higher mean
     * cosine) among 0.3, 0.5, 0.6, 0.7 (docs/quantization.md); SmoothQuant's paper uses 0.5.
     */
    public static final double DEFAULT_SMOOTHING = 0.6;
    /** The keys of schemas/recipe.schema.json $defs.quantizeParams. */
    public static final Set<String> RECIPE_KEYS = Set.of("mode", "perTensor", "calibration", "calibrationSamples",
            "blockSize", "exclude", "smoothing");

    public QuantizationRequest {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(calibration, "calibration");
        Objects.requireNonNull(tokenizer, "tokenizer");
        Objects.requireNonNull(staticForm, "staticForm");
        calibrationSentences = List.copyOf(calibrationSentences);
        if (!BLOCK_SIZES.contains(blockSize)) {
            throw new IllegalArgumentException("blockSize " + blockSize + " is not supported: use 32, 64 or 128");
        }
        if (calibrationSamples < 1 || calibrationSamples > MAX_CALIBRATION_SAMPLES) {
            throw new IllegalArgumentException("calibrationSamples " + calibrationSamples + " is out of range: use 1 to "
                    + MAX_CALIBRATION_SAMPLES);
        }
        if (!(smoothing >= 0 && smoothing < 1)) {
            throw new IllegalArgumentException("smoothing " + smoothing + " is out of range: use 0 (off) or an alpha in (0, 1)");
        }
    }

    /** The mode with default options: per column, full range, embeddings quantized, block 32, MinMax on 256 STS-B sentences. */
    public static QuantizationRequest of(QuantizationMode mode) {
        return new QuantizationRequest(mode, QuantizationOptions.defaults(), DEFAULT_BLOCK_SIZE, CalibrationMethod.MINMAX,
                DEFAULT_CALIBRATION_SAMPLES, List.of(), Optional.empty(), StaticInt8Quantizer.DEFAULT_FORM,
                DEFAULT_SMOOTHING, true);
    }

    /**
     * A recipe variant's quantize params, exactly as schemas/recipe.schema.json $defs.quantizeParams defines
     * them: {@code mode} (required: dynamic-int8, static-int8, fp16, int4), {@code perTensor} (boolean),
     * {@code calibration} (minmax, percentile, entropy), {@code calibrationSamples} (1 to 100000),
     * {@code blockSize} (32, 64, 128), {@code exclude} (node names, at most 1000, each at most 500 characters),
     * {@code smoothing} (0 = off, or SmoothQuant's alpha in (0, 1); default 0.6).
     * No other key is allowed.
     *
     * @param tokenizer the model's tokenizer.json (needed by static-int8; may be null for the other modes)
     * @throws IllegalArgumentException naming the bad param and what is allowed
     */
    public static QuantizationRequest fromRecipeParams(Map<String, Object> params, Path tokenizer) {
        if (params == null) {
            throw new IllegalArgumentException("quantize params are missing: give at least {mode: dynamic-int8|static-int8|fp16|int4}");
        }
        for (String key : params.keySet()) {
            if (!RECIPE_KEYS.contains(key)) {
                throw new IllegalArgumentException("unknown quantize param '" + key + "': allowed are "
                        + RECIPE_KEYS.stream().sorted().toList());
            }
        }
        Object modeValue = params.get("mode");
        if (modeValue == null) {
            throw new IllegalArgumentException("quantize param 'mode' is required: dynamic-int8, static-int8, fp16 or int4");
        }
        if (!(modeValue instanceof String)) {
            throw new IllegalArgumentException("quantize param 'mode' must be a string, not " + modeValue);
        }
        QuantizationMode mode = QuantizationMode.of((String) modeValue);
        QuantizationRequest request = of(mode);
        QuantizationOptions options = request.options();

        Object perTensor = params.get("perTensor");
        if (perTensor != null) {
            if (!(perTensor instanceof Boolean)) {
                throw new IllegalArgumentException("quantize param 'perTensor' must be true or false, not " + perTensor);
            }
            options = options.withPerTensor((Boolean) perTensor);
        }
        CalibrationMethod calibration = request.calibration();
        Object calibrationValue = params.get("calibration");
        if (calibrationValue != null) {
            if (!(calibrationValue instanceof String)) {
                throw new IllegalArgumentException("quantize param 'calibration' must be minmax, percentile or entropy, not "
                        + calibrationValue);
            }
            calibration = CalibrationMethod.of((String) calibrationValue);
        }
        int samples = request.calibrationSamples();
        if (params.containsKey("calibrationSamples")) {
            samples = integer(params.get("calibrationSamples"), "calibrationSamples");
            if (samples < 1 || samples > MAX_CALIBRATION_SAMPLES) {
                throw new IllegalArgumentException("quantize param 'calibrationSamples' is " + samples + ": use 1 to "
                        + MAX_CALIBRATION_SAMPLES);
            }
        }
        int blockSize = request.blockSize();
        if (params.containsKey("blockSize")) {
            blockSize = integer(params.get("blockSize"), "blockSize");
            if (!BLOCK_SIZES.contains(blockSize)) {
                throw new IllegalArgumentException("quantize param 'blockSize' is " + blockSize + ": use 32, 64 or 128");
            }
        }
        Object exclude = params.get("exclude");
        if (exclude != null) {
            if (!(exclude instanceof List<?>)) {
                throw new IllegalArgumentException("quantize param 'exclude' must be a list of node names, not " + exclude);
            }
            List<?> names = (List<?>) exclude;
            if (names.size() > 1000) {
                throw new IllegalArgumentException("quantize param 'exclude' has " + names.size() + " names: at most 1000");
            }
            Set<String> excluded = new LinkedHashSet<>();
            for (Object name : names) {
                if (!(name instanceof String)) {
                    throw new IllegalArgumentException("quantize param 'exclude' must list node names (strings), not " + name);
                }
                if (((String) name).length() > 500) {
                    throw new IllegalArgumentException("quantize param 'exclude' has a name longer than 500 characters");
                }
                excluded.add((String) name);
            }
            options = options.withExcludedNodes(excluded);
        }
        double smoothing = request.smoothing();
        Object smoothingValue = params.get("smoothing");
        if (smoothingValue != null) {
            if (!(smoothingValue instanceof Number)) {
                throw new IllegalArgumentException("quantize param 'smoothing' must be a number, not " + smoothingValue);
            }
            smoothing = ((Number) smoothingValue).doubleValue();
            if (!(smoothing >= 0 && smoothing < 1)) {
                throw new IllegalArgumentException("quantize param 'smoothing' is " + smoothingValue
                        + ": use 0 (off) or SmoothQuant's alpha, above 0 and below 1 (default 0.6)");
            }
        }
        if (mode == QuantizationMode.STATIC_INT8 && tokenizer == null) {
            throw new IllegalArgumentException("static-int8 calibrates on texts run through the model: it needs the model's tokenizer.json");
        }
        return new QuantizationRequest(mode, options, blockSize, calibration, samples, List.of(),
                Optional.ofNullable(tokenizer), StaticInt8Quantizer.DEFAULT_FORM, smoothing, true);
    }

    private static int integer(Object value, String key) {
        if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
            long v = ((Number) value).longValue();
            if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
                return (int) v;
            }
        }
        if (value instanceof Number) {
            double d = ((Number) value).doubleValue();
            if (d == Math.rint(d) && Math.abs(d) < Integer.MAX_VALUE) {
                return (int) d;
            }
        }
        throw new IllegalArgumentException("quantize param '" + key + "' must be an integer, not " + value);
    }

    public QuantizationRequest withOptions(QuantizationOptions value) {
        return new QuantizationRequest(mode, value, blockSize, calibration, calibrationSamples, calibrationSentences, tokenizer, staticForm, smoothing, fusion);
    }

    public QuantizationRequest withBlockSize(int value) {
        return new QuantizationRequest(mode, options, value, calibration, calibrationSamples, calibrationSentences, tokenizer, staticForm, smoothing, fusion);
    }

    public QuantizationRequest withCalibration(CalibrationMethod value) {
        return new QuantizationRequest(mode, options, blockSize, value, calibrationSamples, calibrationSentences, tokenizer, staticForm, smoothing, fusion);
    }

    public QuantizationRequest withCalibrationSamples(int value) {
        return new QuantizationRequest(mode, options, blockSize, calibration, value, calibrationSentences, tokenizer, staticForm, smoothing, fusion);
    }

    public QuantizationRequest withCalibrationSentences(List<String> value) {
        return new QuantizationRequest(mode, options, blockSize, calibration, calibrationSamples, value, tokenizer, staticForm, smoothing, fusion);
    }

    public QuantizationRequest withTokenizer(Path value) {
        return new QuantizationRequest(mode, options, blockSize, calibration, calibrationSamples, calibrationSentences,
                Optional.ofNullable(value), staticForm, smoothing, fusion);
    }

    public QuantizationRequest withStaticForm(StaticInt8Form value) {
        return new QuantizationRequest(mode, options, blockSize, calibration, calibrationSamples, calibrationSentences,
                tokenizer, value, smoothing, fusion);
    }

    public QuantizationRequest withSmoothing(double value) {
        return new QuantizationRequest(mode, options, blockSize, calibration, calibrationSamples, calibrationSentences,
                tokenizer, staticForm, value, fusion);
    }

    public QuantizationRequest withFusion(boolean value) {
        return new QuantizationRequest(mode, options, blockSize, calibration, calibrationSamples, calibrationSentences,
                tokenizer, staticForm, smoothing, value);
    }

    /** The parameters that matter for this mode, as written to verdant.parameters. */
    public String describe() {
        List<String> parts = new ArrayList<>();
        switch (mode) {
            case DYNAMIC_INT8:
                parts.add(options.describe());
                parts.add("smoothing=" + smoothing());
                break;
            case STATIC_INT8:
                parts.add(options.describeWeights());
                parts.add("calibration=" + calibration.id());
                parts.add("calibrationSamples=" + calibrationSamples);
                parts.add("calibrationSet=" + (calibrationSentences.isEmpty() ? "stsb-train" : "custom"));
                parts.add("excluded=" + options.excludedNodes().stream().sorted().toList());
                parts.add("smoothing=" + smoothing());
                break;
            case INT4:
                parts.add("blockSize=" + blockSize);
                parts.add("symmetric=false");
                parts.add("embeddings=" + (!options.quantizeEmbeddings() ? "float"
                        : options.perColumnEmbeddings() ? "int8-per-column" : "uint8-per-tensor"));
                parts.add("excluded=" + options.excludedNodes().stream().sorted().toList());
                break;
            default:
                parts.add("excluded=" + options.excludedNodes().stream().sorted().toList());
                break;
        }
        return String.join(",", parts);
    }
}
