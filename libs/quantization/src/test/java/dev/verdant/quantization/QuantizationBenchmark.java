package dev.verdant.quantization;

import ai.onnx.proto.OnnxMl.ModelProto;
import dev.verdant.evaluation.InterleavedRounds;
import dev.verdant.evaluation.EvaluationReport;
import dev.verdant.evaluation.EvaluationRequest;
import dev.verdant.evaluation.Evaluator;
import dev.verdant.evaluation.LatencySettings;
import dev.verdant.evaluation.StsSource;
import dev.verdant.evaluation.StsSplit;
import dev.verdant.evaluation.MiniLmArtifacts;
import dev.verdant.evaluation.Percentiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The table of every mode on all-MiniLM-L6-v2 (docs/quantization.md): fp32, ONNX Runtime's own INT8 and each Verdant
 * mode, quantized here and measured with libs/evaluation's Evaluator: size, parameters, STS-B test Spearman, mean
 * cosine to fp32, and latency p50 at batch 1 and 32. Latency is taken in several rounds, the models interleaved
 * (in a rotated order each round), and the median of the rounds' p50s is reported: the machine is shared.
 *
 * <pre>
 * flock /tmp/verdant-heavy.lock ./mvnw -q -B -pl libs/quantization test-compile exec:exec@quantization-benchmark \
 *     -Dbenchmark.args="--pairs 0 --rounds 3"
 * </pre>
 * --pairs 0 = the whole STS-B test split (1,379 pairs).
 */
public final class QuantizationBenchmark {

    private QuantizationBenchmark() {
    }

    private record Variant(String label, Path file, String parameters, double quantizeSeconds, boolean timed) {
        Variant(String label, Path file, String parameters, double quantizeSeconds) {
            this(label, file, parameters, quantizeSeconds, true);
        }

        /** A row measured for quality only (not timed in the latency rounds). */
        Variant untimed() {
            return new Variant(label, file, parameters, quantizeSeconds, false);
        }
    }

    public static void main(String[] args) throws IOException {
        int pairs = 0;
        int rounds = 3;
        String only = null;
        StsSplit split = StsSplit.TEST;
        Path dir = Path.of("target", "quantization-benchmark");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--pairs":
                    pairs = Integer.parseInt(args[++i]);
                    break;
                case "--rounds":
                    rounds = Integer.parseInt(args[++i]);
                    break;
                case "--dir":
                    dir = Path.of(args[++i]);
                    break;
                case "--only":
                    only = args[++i];
                    break;
                case "--split":
                    split = StsSplit.valueOf(args[++i].toUpperCase(Locale.ROOT));
                    break;
                default:
                    throw new IllegalArgumentException("unknown argument " + args[i] + " (use --pairs N --rounds N --dir D)");
            }
        }
        Files.createDirectories(dir);
        Path fp32 = extract("all-minilm-l6-v2.onnx", dir);
        Path reference = extract("all-minilm-l6-v2-q.onnx", dir);
        Path tokenizer = extract("all-minilm-l6-v2-tokenizer.json", dir);
        byte[] source = Files.readAllBytes(fp32);

        List<Variant> variants = new ArrayList<>();
        variants.add(new Variant("fp32", fp32, "-", 0));
        variants.add(new Variant("ORT INT8 (reference)", reference, "ORT quantize_dynamic, reduce_range", 0));
        // With the tokenizer, as the pipeline runs it: dynamic-int8 then smooths the layer-norm outputs (Smoothing).
        QuantizationRequest dynamic = QuantizationRequest.of(QuantizationMode.DYNAMIC_INT8).withTokenizer(tokenizer);
        QuantizationRequest staticInt8 = QuantizationRequest.of(QuantizationMode.STATIC_INT8).withTokenizer(tokenizer);
        QuantizationRequest int4 = QuantizationRequest.of(QuantizationMode.INT4);
        if ("dynamic-candidates".equals(only)) {
            // The dynamic-int8 choices, to be compared on the dev split (docs/quantization.md).
            // Every setting explicit, so that the rows do not move with the defaults.
            QuantizationOptions max = QuantizationOptions.defaults().withPerColumnEmbeddings(false).withMseScales(false)
                    .withReduceRange(false).withPerTensor(false);
            // Without smoothing and fusion: the candidates as they were compared (smoothing was chosen afterwards).
            dynamic = dynamic.withSmoothing(0).withFusion(false);
            variants.add(make(dir, "ORT-like (reduce-range, max, per-table embeddings)", source,
                    dynamic.withOptions(max.withReduceRange(true)), null));
            variants.add(make(dir, "max scales, per-table embeddings", source, dynamic.withOptions(max), null));
            variants.add(make(dir, "MSE scales, per-table embeddings", source, dynamic.withOptions(max.withMseScales(true)), null));
            variants.add(make(dir, "max scales, per-column embeddings", source,
                    dynamic.withOptions(max.withPerColumnEmbeddings(true)), null));
            variants.add(make(dir, "MSE scales, per-column embeddings", source,
                    dynamic.withOptions(max.withPerColumnEmbeddings(true).withMseScales(true)), null));
            run(variants, fp32, tokenizer, pairs, rounds, dir, split);
            return;
        }
        if ("smoothing".equals(only)) {
            smoothing(variants, dir, source, dynamic, tokenizer);
            run(variants, fp32, tokenizer, pairs, rounds, dir, split);
            return;
        }
        if ("error-budget".equals(only)) {
            errorBudget(variants, dir, source, dynamic);
            run(variants, fp32, tokenizer, pairs, rounds, dir, split);
            return;
        }
        // What the fusions alone (SkipLayerNormalization, MultiHeadAttention) do to the float model (no quantization).
        variants.add(new Variant("fp32 + fusions", written(dir, "fp32-fused", AttentionFusion.apply(
                SkipLayerNormFusion.apply(ModelProto.parseFrom(source)).model()).model()).file(), "fusions only", 0));
        variants.add(make(dir, "dynamic-int8", source, dynamic, null));
        variants.add(make(dir, "dynamic-int8, no smoothing", source, dynamic.withSmoothing(0), null));
        variants.add(make(dir, "dynamic-int8, no fusion", source, dynamic.withFusion(false), null));
        variants.add(makeDynamicQuantizeMatMul(dir, source, dynamic.withSmoothing(0)).untimed());
        // The other dynamic-int8 choices compared on the dev split (docs/quantization.md): quality rows only.
        QuantizationOptions defaults = QuantizationOptions.defaults();
        variants.add(make(dir, "dynamic-int8, max scales", source, dynamic.withOptions(defaults.withMseScales(false)), null).untimed());
        variants.add(make(dir, "dynamic-int8, per-column emb, max", source,
                dynamic.withOptions(defaults.withMseScales(false).withPerColumnEmbeddings(true)), null).untimed());
        variants.add(make(dir, "dynamic-int8, per-column emb, mse", source,
                dynamic.withOptions(defaults.withPerColumnEmbeddings(true)), null).untimed());
        variants.add(make(dir, "static-int8 minmax", source, staticInt8, null));
        variants.add(make(dir, "static-int8 minmax, no smoothing", source, staticInt8.withSmoothing(0), null));
        // The static-int8 graph forms other than the default, MinMax on the default texts (same arithmetic).
        for (StaticInt8Form form : StaticInt8Form.values()) {
            if (form != StaticInt8Quantizer.DEFAULT_FORM && (form != StaticInt8Form.MATMUL_INTEGER || "int8".equals(only))) {
                variants.add(makeStatic(dir, source, staticInt8, form));
            }
        }
        if (!"int8".equals(only)) {
            addOthers(variants, dir, source, staticInt8, int4);
        }
        run(variants, fp32, tokenizer, pairs, rounds, dir, split);
    }

    /**
     * dynamic-int8's error, one source at a time (FakeQuantization): weights, embeddings, and the run-time rounding of
     * the activations, all MatMuls then each kind (Q/K/V input, attention output, FFN in, FFN out); quality rows.
     */
    private static void errorBudget(List<Variant> variants, Path dir, byte[] source, QuantizationRequest dynamic)
            throws IOException {
        ModelProto model = ModelProto.parseFrom(source);
        QuantizationOptions options = dynamic.options();
        variants.add(make(dir, "dynamic-int8", source, dynamic, null));
        variants.add(written(dir, "weights only", FakeQuantization.weights(model, options, name -> true)));
        variants.add(written(dir, "embeddings only (per table)", FakeQuantization.embeddings(model, options)));
        variants.add(written(dir, "embeddings only (per column)",
                FakeQuantization.embeddings(model, options.withPerColumnEmbeddings(true))));
        variants.add(written(dir, "activations only", FakeQuantization.activations(model, name -> true)));
        Map<String, String> kinds = new LinkedHashMap<>();
        kinds.put("activations: Q/K/V input", "/attention/self/");
        kinds.put("activations: attention output input", "/attention/output/");
        kinds.put("activations: FFN in input", "/intermediate/");
        kinds.put("activations: FFN out input", "/output/dense");
        for (Map.Entry<String, String> kind : kinds.entrySet()) {
            String marker = kind.getValue();
            java.util.function.Predicate<String> filter = marker.equals("/output/dense")
                    ? name -> name.contains(marker) && !name.contains("/attention/") : name -> name.contains(marker);
            variants.add(written(dir, kind.getKey(), FakeQuantization.activations(model, filter)));
        }
        for (int layer = 0; layer < 6; layer++) {
            String marker = "/layer." + layer + "/";
            variants.add(written(dir, "activations: layer " + layer, FakeQuantization.activations(model, name -> name.contains(marker))));
        }
    }

    /** dynamic-int8 of the model smoothed (Smoothing) with a few alphas, on all MatMul inputs or the LayerNorm outputs only. */
    private static void smoothing(List<Variant> variants, Path dir, byte[] source, QuantizationRequest dynamic, Path tokenizer)
            throws IOException {
        ModelProto model = ModelProto.parseFrom(source);
        Map<String, ai.onnx.proto.OnnxMl.TensorProto> initializers = GraphRewrite.initializers(model.getGraph());
        Map<String, String> kindOf = new LinkedHashMap<>();
        for (ai.onnx.proto.OnnxMl.NodeProto node : model.getGraph().getNodeList()) {
            if (GraphRewrite.isWeightMatMul(node, initializers)) {
                String name = node.getName();
                kindOf.putIfAbsent(node.getInput(0), name.contains("/attention/self/") || name.contains("/intermediate/")
                        ? "layernorm" : name.contains("/attention/output/") ? "attention" : "ffn-out");
            }
        }
        Map<String, float[]> channels = new LinkedHashMap<>();
        try {
            new ActivationCalibrator().calibrate(model, new ArrayList<>(kindOf.keySet()),
                    ActivationCalibrator.stsbTrainSentences(256), tokenizer, false)
                    .forEach((k, v) -> channels.put(k, v.channelAbsMax()));
        } catch (ActivationCalibrator.CalibrationException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        // Smoothed here by hand (Smoothing.apply), so the Quantizer must not smooth again: smoothing 0 below.
        QuantizationRequest plain = dynamic.withSmoothing(0);
        variants.add(make(dir, "dynamic-int8, no smoothing", source, plain, null));
        for (String subset : List.of("layernorm", "all")) {
            // "layernorm": what the Quantizer smooths (Smoothing.layerNormInputsOfMatMuls); "all": every MatMul input.
            List<String> layerNorms = Smoothing.layerNormInputsOfMatMuls(model, java.util.Set.of());
            Map<String, float[]> chosen = new LinkedHashMap<>();
            channels.forEach((k, v) -> {
                if (subset.equals("all") || layerNorms.contains(k)) {
                    chosen.put(k, v);
                }
            });
            for (double alpha : subset.equals("all") ? new double[] {0.5} : new double[] {0.3, 0.5, 0.6, 0.7}) {
                byte[] smoothed = Smoothing.apply(model, chosen, alpha).toByteArray();
                for (boolean perColumn : new boolean[] {false, true}) {
                    if (perColumn && !subset.equals("layernorm")) {
                        continue;
                    }
                    String label = String.format(Locale.ROOT, "smoothed %s alpha %.1f%s", subset, alpha,
                            perColumn ? ", per-column emb" : "");
                    Variant variant = make(dir, label, smoothed,
                            plain.withOptions(plain.options().withPerColumnEmbeddings(perColumn)), null);
                    variants.add(subset.equals("layernorm") && alpha == QuantizationRequest.DEFAULT_SMOOTHING && !perColumn
                            ? variant : variant.untimed());
                }
            }
        }
        channels.forEach((k, v) -> {
            float[] sorted = v.clone();
            Arrays.sort(sorted);
            System.out.printf(Locale.ROOT, "channels %-9s %-60s max %.2f median %.3f ratio %.1f%n", kindOf.get(k), k,
                    sorted[sorted.length - 1], sorted[sorted.length / 2], sorted[sorted.length - 1] / sorted[sorted.length / 2]);
        });
    }

    private static Variant written(Path dir, String label, ModelProto model) throws IOException {
        Path file = dir.resolve(label.replaceAll("[^a-z0-9]+", "-") + ".onnx");
        Files.write(file, model.toByteArray());
        return new Variant(label, file, "fake quantization", 0).untimed();
    }

    private static void addOthers(List<Variant> variants, Path dir, byte[] source, QuantizationRequest staticInt8,
            QuantizationRequest int4) throws IOException {
        for (CalibrationMethod method : CalibrationMethod.values()) {
            if (method != CalibrationMethod.MINMAX) {
                variants.add(make(dir, "static-int8 " + method.id(), source, staticInt8.withCalibration(method), null));
            }
        }
        variants.add(make(dir, "fp16 (weights)", source, QuantizationRequest.of(QuantizationMode.FP16), Fp16Converter.Layout.WEIGHTS));
        // Not timed: 7-16x slower than fp32 at batch 32 (run of 2026-11-29 09:30, docs/quantization.md).
        variants.add(make(dir, "fp16 (compute)", source, QuantizationRequest.of(QuantizationMode.FP16), Fp16Converter.Layout.COMPUTE)
                .untimed());
        variants.add(make(dir, "int4 b32", source, int4.withBlockSize(32), null));
        variants.add(make(dir, "int4 b128", source, int4.withBlockSize(128), null));
        variants.add(makeInt4Float(dir, source, int4.withBlockSize(32)));
    }

    private static void run(List<Variant> variants, Path fp32, Path tokenizer, int pairs, int rounds, Path dir,
            StsSplit split) throws IOException {
        Evaluator evaluator = new Evaluator();
        Map<String, EvaluationReport> quality = new LinkedHashMap<>();
        for (Variant variant : variants) {
            EvaluationRequest request = EvaluationRequest.of(variant.file(), tokenizer).withMaxPairs(pairs)
                    .withDataset(new StsSource.BuiltIn(split)).withLatency(LatencySettings.quick());
            if (!variant.label().equals("fp32")) {
                request = request.withBaseline(fp32);
            }
            EvaluationReport report = evaluate(evaluator, request);
            quality.put(variant.label(), report);
            System.out.printf(Locale.ROOT, "quality %-22s Spearman %.2f (%d pairs)%s%n", variant.label(),
                    report.quality().spearman(), report.quality().pairs(), report.fidelity() == null ? ""
                            : String.format(Locale.ROOT, ", mean cosine %.5f", report.fidelity().meanCosine()));
        }
        List<InterleavedRounds.Model> models = variants.stream().filter(Variant::timed)
                .map(v -> new InterleavedRounds.Model(v.label(), v.file())).toList();
        Map<String, List<EvaluationReport>> timed = InterleavedRounds.run(evaluator, models,
                EvaluationRequest.of(fp32, tokenizer).withMaxPairs(64).withLatency(new LatencySettings(3, 40, 15)), rounds,
                (label, report) -> System.out.printf(Locale.ROOT, "latency %-22s b1 %.2f ms, b32 %.1f ms%n", label,
                        report.latency().batch1().p50Ms(), report.latency().batch32().p50Ms()));
        Map<String, List<double[]>> latencies = new LinkedHashMap<>();
        variants.forEach(v -> latencies.put(v.label(), List.of()));
        timed.forEach((label, reports) -> latencies.put(label, reports.stream()
                .map(r -> new double[] {r.latency().batch1().p50Ms(), r.latency().batch32().p50Ms()}).toList()));

        StringBuilder table = new StringBuilder();
        EvaluationReport base = quality.get("fp32");
        table.append(String.format(Locale.ROOT, "STS-B %s, %d pairs; latency: median over %d interleaved rounds of the p50"
                + " (40 runs at batch 1, 15 at batch 32), %d intra-op threads%n%n", split.name().toLowerCase(Locale.ROOT),
                base.quality().pairs(), rounds,
                EvaluationRequest.defaultThreads()));
        table.append("| model | size (bytes) | parameters | Spearman | Δ vs fp32 | mean cosine to fp32 | b1 p50 (ms) | b32 p50 (ms)"
                + " | b32 / ORT INT8 | b32 / dynamic-int8 | quantize (s) | settings |\n");
        table.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (Variant variant : variants) {
            EvaluationReport report = quality.get(variant.label());
            double b1 = median(latencies.get(variant.label()), 0);
            double b32 = median(latencies.get(variant.label()), 1);
            table.append(String.format(Locale.ROOT, "| %s | %,d | %,d | %.2f | %+.2f | %s | %s | %s | %s | %s | %s | %s |%n",
                    variant.label(), report.sizeBytes(), report.parameters(), report.quality().spearman(),
                    report.quality().spearman() - base.quality().spearman(),
                    report.fidelity() == null ? "—" : String.format(Locale.ROOT, "%.5f", report.fidelity().meanCosine()),
                    Double.isNaN(b1) ? "—" : String.format(Locale.ROOT, "%.2f", b1),
                    Double.isNaN(b32) ? "—" : String.format(Locale.ROOT, "%.1f", b32),
                    ratio(latencies, variant.label(), "ORT INT8 (reference)"),
                    ratio(latencies, variant.label(), "dynamic-int8"),
                    variant.quantizeSeconds() == 0 ? "—" : String.format(Locale.ROOT, "%.1f", variant.quantizeSeconds()),
                    variant.parameters()));
        }
        if (rounds > 0) {
            table.append("\nbatch-32 p50 (ms) per round (each round times every model once, in a rotated order):\n\n| model |");
            for (int round = 1; round <= rounds; round++) {
                table.append(" round ").append(round).append(" |");
            }
            table.append("\n|---|").append("---:|".repeat(rounds)).append("\n");
            for (Variant variant : variants) {
                if (!variant.timed()) {
                    continue;
                }
                table.append("| ").append(variant.label()).append(" |");
                for (double[] values : latencies.get(variant.label())) {
                    table.append(String.format(Locale.ROOT, " %.1f |", values[1]));
                }
                table.append("\n");
            }
        }
        System.out.println();
        System.out.print(table);
        Files.writeString(dir.resolve("table.md"), table.toString());
    }

    private static Variant make(Path dir, String label, byte[] source, QuantizationRequest request, Fp16Converter.Layout layout)
            throws IOException {
        long start = System.nanoTime();
        QuantizationOutcome outcome;
        if (layout != null) {
            outcome = new Fp16Converter(layout).rewrite(ModelProto.parseFrom(source), source, request);
        } else {
            outcome = new Quantizer().quantize(source, request);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (!(outcome instanceof QuantizationOutcome.Quantized)) {
            throw new IllegalStateException(label + ": " + outcome);
        }
        QuantizationOutcome.Quantized quantized = (QuantizationOutcome.Quantized) outcome;
        Path file = dir.resolve(label.replaceAll("[^a-z0-9]+", "-") + ".onnx");
        Quantizer.write(quantized, file);
        System.out.printf(Locale.ROOT, "made %-22s %,d bytes in %.1f s%n", label, quantized.report().bytesAfter(), seconds);
        return new Variant(label, file, quantized.metadata().get("verdant.parameters"), seconds);
    }

    /** static-int8 in another graph form ({@link StaticInt8Form}), MinMax on the default texts. */
    private static Variant makeStatic(Path dir, byte[] source, QuantizationRequest request, StaticInt8Form form)
            throws IOException {
        return make(dir, "static-int8 minmax (" + form.id() + ")", source, request.withStaticForm(form), null);
    }

    /** dynamic-int8 written as com.microsoft:DynamicQuantizeMatMul (bias folded in). */
    private static Variant makeDynamicQuantizeMatMul(Path dir, byte[] source, QuantizationRequest request) throws IOException {
        long start = System.nanoTime();
        QuantizationOutcome.Quantized quantized = (QuantizationOutcome.Quantized) new DynamicInt8Quantizer(
                DynamicInt8Quantizer.Form.DYNAMIC_QUANTIZE_MATMUL).rewrite(ModelProto.parseFrom(source), source, request);
        double seconds = (System.nanoTime() - start) / 1e9;
        Path file = dir.resolve("dynamic-int8-dynamicquantizematmul.onnx");
        Quantizer.write(quantized, file);
        return new Variant("dynamic-int8 (DynamicQuantizeMatMul), no smoothing", file, quantized.metadata().get("verdant.parameters"), seconds);
    }

    private static Variant makeInt4Float(Path dir, byte[] source, QuantizationRequest request) throws IOException {
        long start = System.nanoTime();
        QuantizationOutcome outcome = new Int4Quantizer(false, 0).rewrite(ModelProto.parseFrom(source), source, request);
        double seconds = (System.nanoTime() - start) / 1e9;
        QuantizationOutcome.Quantized quantized = (QuantizationOutcome.Quantized) outcome;
        Path file = dir.resolve("int4-b32-accuracy0.onnx");
        Quantizer.write(quantized, file);
        return new Variant("int4 b32 accuracy_level 0", file, quantized.metadata().get("verdant.parameters"), seconds);
    }

    private static EvaluationReport evaluate(Evaluator evaluator, EvaluationRequest request) {
        return InterleavedRounds.evaluated(evaluator.evaluate(request), request.model().toString());
    }

    /** The median of the rounds' figures; NaN when there were no rounds (--rounds 0: quality only). */
    /**
     * The batch-32 p50 of {@code label} over that of {@code base}, taken within each round (the two models ran minutes
     * apart at most, under the same load): the median ratio and, in brackets, the smallest and largest.
     */
    private static String ratio(Map<String, List<double[]>> latencies, String label, String base) {
        List<double[]> a = latencies.get(label);
        List<double[]> b = latencies.get(base);
        if (a == null || b == null || a.isEmpty() || a.size() != b.size()) {
            return "—";
        }
        List<double[]> ratios = new ArrayList<>();
        for (int round = 0; round < a.size(); round++) {
            ratios.add(new double[] {a.get(round)[1] / b.get(round)[1]});
        }
        double[] sorted = ratios.stream().mapToDouble(r -> r[0]).sorted().toArray();
        return String.format(Locale.ROOT, "%.2fx (%.2f-%.2f)", median(ratios, 0), sorted[0], sorted[sorted.length - 1]);
    }

    private static double median(List<double[]> values, int index) {
        return values.isEmpty() ? Double.NaN : Percentiles.median(values.stream().mapToDouble(a -> a[index]).toArray());
    }

    private static Path extract(String resource, Path dir) throws IOException {
        return MiniLmArtifacts.extract(resource, dir);
    }

    static double[] copy(double[] values) {
        return Arrays.copyOf(values, values.length);
    }
}
