package dev.verdant.quantization;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where a model's time goes, per operator type, in ONNX Runtime's own profile: batches of 32 STS-B train sentences
 * (as the latency measurement pads them), after warm-up, 2 intra-op threads.
 *
 * <pre>
 * ./mvnw -q -B -pl libs/quantization test-compile exec:exec@op-profile -Dbenchmark.args="MODEL.onnx TOKENIZER.json [RUNS]"
 * </pre>
 */
public final class OpProfile {

    private OpProfile() {
    }

    public static void main(String[] args) throws Exception {
        Path model = Path.of(args[0]);
        Path tokenizerJson = Path.of(args[1]);
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        if (args.length > 3) {
            // Try a fusion alone on a file: --attention (MultiHeadAttention) or --skip-layer-norm.
            ai.onnx.proto.OnnxMl.ModelProto read = ai.onnx.proto.OnnxMl.ModelProto.parseFrom(Files.readAllBytes(model));
            ai.onnx.proto.OnnxMl.ModelProto fused;
            if (args[3].equals("--attention")) {
                AttentionFusion.Result result = AttentionFusion.apply(read);
                System.out.println("MultiHeadAttention: " + result.fused() + " fused");
                fused = result.model();
            } else if (args[3].equals("--skip-layer-norm")) {
                SkipLayerNormFusion.Result result = SkipLayerNormFusion.apply(read);
                System.out.println("SkipLayerNormalization: " + result.fused() + " fused");
                fused = result.model();
            } else {
                throw new IllegalArgumentException("unknown option " + args[3] + ": use --attention or --skip-layer-norm");
            }
            model = Files.createTempFile("fused", ".onnx");
            Files.write(model, fused.toByteArray());
        }
        OrtEnvironment environment = ActivationCalibrator.OrtRuntime.environment();
        long[][][] batch;
        try (HuggingFaceTokenizer tokenizer = ActivationCalibrator.tokenizer(tokenizerJson)) {
            batch = ActivationCalibrator.encode(tokenizer, ActivationCalibrator.stsbTrainSentences(32));
        }
        Path profile;
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(2);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            try (OrtSession warm = environment.createSession(model.toString(), options)) {
                run(environment, warm, batch, 5);
            }
            options.enableProfiling(Files.createTempDirectory("op-profile").resolve("profile").toString());
            try (OrtSession session = environment.createSession(model.toString(), options)) {
                run(environment, session, batch, 3); // warm-up inside the profile, dropped below by run count
                run(environment, session, batch, runs);
                profile = Path.of(session.endProfiling());
            }
        }
        Map<String, Double> byOp = new TreeMap<>();
        Map<String, Integer> nodes = new HashMap<>();
        double total = 0;
        JsonNode events = new ObjectMapper().readTree(profile.toFile());
        for (JsonNode event : events) {
            if (!"Node".equals(event.path("cat").asText()) || !event.path("name").asText().endsWith("_kernel_time")) {
                continue;
            }
            String op = event.path("args").path("op_name").asText();
            double micros = event.path("dur").asDouble();
            byOp.merge(op, micros, Double::sum);
            nodes.merge(op, 1, Integer::sum);
            total += micros;
        }
        int calls = runs + 3;
        System.out.printf(Locale.ROOT, "%s: %d tokens a batch, %d runs; kernel time per run %.2f ms%n", model.getFileName(),
                batch[0][0].length * 32, calls, total / calls / 1000);
        System.out.println("| op | nodes | ms per run | share |");
        System.out.println("|---|---:|---:|---:|");
        final double sum = total;
        byOp.entrySet().stream().sorted((a, b) -> Double.compare(b.getValue(), a.getValue())).forEach(e ->
                System.out.printf(Locale.ROOT, "| %s | %d | %.2f | %.1f %% |%n", e.getKey(), nodes.get(e.getKey()) / calls,
                        e.getValue() / calls / 1000, 100 * e.getValue() / sum));
    }

    private static void run(OrtEnvironment environment, OrtSession session, long[][][] batch, int times) throws Exception {
        for (int i = 0; i < times; i++) {
            try (OnnxTensor ids = OnnxTensor.createTensor(environment, batch[0]);
                    OnnxTensor mask = OnnxTensor.createTensor(environment, batch[1]);
                    OnnxTensor types = OnnxTensor.createTensor(environment, batch[2]);
                    OrtSession.Result result = session.run(Map.of("input_ids", ids, "attention_mask", mask,
                            "token_type_ids", types))) {
                result.get(0);
            }
        }
    }
}
