package dev.verdant.pruning;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.verdant.onnx.OnnxGraphs;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Activation statistics of all-MiniLM-L6-v2's FFN neurons on the first sentences of STS-B train
 * (never the test split that is scored), the way verdant prune --calibration measures them: one
 * sentence at a time, up to 128 tokens, padding excluded. Call after the evaluation harness has
 * started ONNX Runtime (DJL creates the environment with its own options; this reuses it).
 */
final class TrainCalibration {

    private TrainCalibration() {
    }

    static ActivationStatistics measure(Path model, Path tokenizerJson, int sentences) throws Exception {
        List<String> texts = new ArrayList<>();
        try (InputStream in = TrainCalibration.class.getClassLoader().getResourceAsStream("dev/verdant/evaluation/stsb/train.tsv");
             BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            reader.readLine(); // header: score, sentence1, sentence2
            String line;
            while ((line = reader.readLine()) != null && texts.size() < sentences) {
                String[] fields = line.split("\t");
                texts.add(fields[1]);
                texts.add(fields[2]);
            }
        }
        ActivationProbe.Instrumented probe = ActivationProbe.instrument(OnnxGraphs.read(model));
        ActivationProbe.Accumulator accumulator = new ActivationProbe.Accumulator(probe.widths());
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        Map<String, String> options = Map.of("addSpecialTokens", "true", "padding", "false", "truncation", "true",
                "maxLength", "128", "modelMaxLength", "128");
        try (InputStream in = Files.newInputStream(tokenizerJson);
             HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(in, options);
             OrtSession session = env.createSession(OnnxGraphs.toBytes(probe.model()), new OrtSession.SessionOptions())) {
            for (String text : texts) {
                Encoding encoding = tokenizer.encode(text);
                long[][] mask = {encoding.getAttentionMask()};
                Map<String, OnnxTensor> feed = new HashMap<>();
                try {
                    feed.put("input_ids", OnnxTensor.createTensor(env, new long[][] {encoding.getIds()}));
                    feed.put("attention_mask", OnnxTensor.createTensor(env, mask));
                    feed.put("token_type_ids", OnnxTensor.createTensor(env, new long[][] {encoding.getTypeIds()}));
                    try (OrtSession.Result result = session.run(feed, new LinkedHashSet<>(probe.outputs()))) {
                        for (int b = 0; b < probe.outputs().size(); b++) {
                            accumulator.add(b, (float[][][]) result.get(probe.outputs().get(b)).orElseThrow().getValue(), mask);
                        }
                    }
                } finally {
                    feed.values().forEach(OnnxTensor::close);
                }
            }
        }
        return accumulator.result();
    }
}
