package dev.verdant.quantization;

import static dev.verdant.quantization.TinyModels.quantized;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import dev.verdant.onnx.OnnxGraphs;
import dev.verdant.onnx.testing.TinyBertBuilder;
import dev.verdant.onnx.testing.WordPieceTokenizerJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SmoothingTest {

    @TempDir
    Path dir;

    private static List<String> sentences() {
        return List.of("a man is playing a guitar", "the cat sits on the mat", "two dogs run in the park",
                "a woman slices an onion", "the plane is taking off", "children play football outside");
    }

    private Path tokenizer() throws IOException {
        return Files.writeString(dir.resolve("tokenizer.json"), WordPieceTokenizerJson.of(200, sentences()));
    }

    @Test
    void factorsAreActivationMaxToTheAlphaOverWeightMaxToOneMinusAlpha() {
        float[] s = Smoothing.factors(new float[] {16, 1, 0, 4}, new float[] {1, 4, 2, 0}, 0.5);
        assertThat(s[0]).isCloseTo(4f, within(1e-6f)); // sqrt(16) / sqrt(1)
        assertThat(s[1]).isCloseTo(0.5f, within(1e-6f)); // sqrt(1) / sqrt(4)
        assertThat(s[2]).isEqualTo(1f); // a dead channel is left alone
        assertThat(s[3]).isEqualTo(1f); // so is a channel no weight reads
        assertThat(Smoothing.factors(new float[] {8}, new float[] {2}, 0.75)[0])
                .isCloseTo((float) (Math.pow(8, 0.75) / Math.pow(2, 0.25)), within(1e-5f));
    }

    @Test
    void findsTheLayerNormOutputsThatMatMulsRead() {
        for (TinyBertBuilder.LayerNormStyle style : TinyBertBuilder.LayerNormStyle.values()) {
            ModelProto model = TinyModels.tiny().layerNorm(style).build();
            List<String> found = Smoothing.layerNormInputsOfMatMuls(model, Set.of());
            // Per layer: the Q/K/V input (embedding or previous layer's output norm) and the FFN input (attention norm).
            assertThat(found).as(style.name()).hasSize(4);
            String anyQuery = model.getGraph().getNodeList().stream()
                    .filter(n -> GraphRewrite.isWeightMatMul(n, GraphRewrite.initializers(model.getGraph())))
                    .findFirst().orElseThrow().getName();
            assertThat(Smoothing.layerNormInputsOfMatMuls(model, Set.of(anyQuery))).as("excluded reader").hasSize(3);
        }
    }

    @Test
    void smoothingLeavesTheFloatModelsOutputUnchanged() throws Exception {
        ModelProto model = TinyModels.tiny().build();
        Map<String, float[]> channels = new LinkedHashMap<>();
        Random random = new Random(7);
        for (String tensor : Smoothing.layerNormInputsOfMatMuls(model, Set.of())) {
            float[] max = new float[64];
            for (int i = 0; i < max.length; i++) {
                max[i] = 0.1f + random.nextFloat() * (i % 9 == 0 ? 40 : 2); // a few outlier channels
            }
            channels.put(tensor, max);
        }
        ModelProto smoothed = Smoothing.apply(model, channels, 0.5);
        long muls = smoothed.getGraph().getNodeList().stream().filter(n -> n.getName().endsWith("_smoothing/Mul")).count();
        assertThat(muls).isEqualTo(4);

        long[][] ids = TinyModels.ids(2, 7, 3);
        long[][] mask = TinyModels.ones(2, 7);
        float[][][] before = TinyModels.run(model.toByteArray(), ids, mask);
        float[][][] after = TinyModels.run(smoothed.toByteArray(), ids, mask);
        TinyModels.assertClose(before, after, 1e-4f);
    }

    @Test
    void aWeightThatAnotherActivationAlsoReadsIsLeftAlone() throws Exception {
        // y1 = x1 W, y2 = x2 W: smoothing x1 would rescale the W that x2 reads too.
        float[] w = TinyModels.randomWeights(4 * 3, 2);
        ModelProto model = TinyModels.model(ai.onnx.proto.OnnxMl.GraphProto.newBuilder()
                .addInput(TinyModels.input("x1", -1, 4)).addInput(TinyModels.input("x2", -1, 4))
                .addInitializer(dev.verdant.onnx.Tensors.ofFloats("W", new long[] {4, 3}, w))
                .addNode(NodeProto.newBuilder().setOpType("MatMul").setName("a").addInput("x1").addInput("W").addOutput("y1"))
                .addNode(NodeProto.newBuilder().setOpType("MatMul").setName("b").addInput("x2").addInput("W").addOutput("y2"))
                .addOutput(TinyModels.input("y1", -1, 3)).addOutput(TinyModels.input("y2", -1, 3)).build());
        ModelProto smoothed = Smoothing.apply(model, Map.of("x1", new float[] {50, 1, 1, 1}), 0.5);
        assertThat(smoothed).isEqualTo(model);
    }

    @Test
    void anOutlierChannelCostsLessAfterSmoothing() throws Exception {
        // x [32, 16] whose channel 3 is 60x the others; W [16, 8]. Exact x W against int8 (dynamic, per tensor x).
        int rows = 16;
        int cols = 8;
        float[] w = TinyModels.randomWeights(rows * cols, 11);
        Random random = new Random(5);
        float[][] x = new float[32][rows];
        float[] channelMax = new float[rows];
        for (float[] row : x) {
            for (int k = 0; k < rows; k++) {
                row[k] = (float) random.nextGaussian() * (k == 3 ? 60 : 1);
                channelMax[k] = Math.max(channelMax[k], Math.abs(row[k]));
            }
        }
        ModelProto model = ModelProto.parseFrom(TinyModels.singleMatMul(w, rows, cols));
        String input = model.getGraph().getNode(0).getInput(0);
        float[][] exact = TinyModels.runMatMul(model.toByteArray(), x);

        QuantizationRequest request = QuantizationRequest.of(QuantizationMode.DYNAMIC_INT8).withSmoothing(0);
        ModelProto plain = quantized(new DynamicInt8Quantizer().rewrite(model, model.toByteArray(), request)).model();
        ModelProto smoothed = Smoothing.apply(model, Map.of(input, channelMax), 0.5);
        ModelProto smoothQuantized = quantized(new DynamicInt8Quantizer().rewrite(smoothed, model.toByteArray(), request)).model();

        double plainError = error(exact, TinyModels.runMatMul(OnnxGraphs.toBytes(plain), x));
        double smoothError = error(exact, TinyModels.runMatMul(OnnxGraphs.toBytes(smoothQuantized), x));
        assertThat(smoothError).isLessThan(plainError / 3);
    }

    @Test
    void dynamicInt8SmoothsWhenItHasATokenizerAndSaysSo() throws Exception {
        byte[] fp32 = TinyModels.tiny().toBytes();
        QuantizationRequest request = QuantizationRequest.of(QuantizationMode.DYNAMIC_INT8).withTokenizer(tokenizer())
                .withCalibrationSentences(sentences());
        QuantizationOutcome.Quantized smoothed = quantized(new Quantizer().quantize(fp32, request));
        assertThat(smoothed.metadata().get("verdant.parameters")).contains(",smoothing=0.6,smoothed=4");
        List<NodeProto> muls = smoothed.model().getGraph().getNodeList().stream()
                .filter(n -> n.getName().endsWith("_smoothing/Mul")).toList();
        assertThat(muls).hasSize(4);
        // The DynamicQuantizeLinear reads the smoothed tensor.
        assertThat(smoothed.model().getGraph().getNodeList().stream().filter(n -> n.getOpType().equals("DynamicQuantizeLinear"))
                .filter(n -> n.getInput(0).endsWith("_smoothed")).count()).isEqualTo(4);

        long[][] ids = TinyModels.ids(3, 9, 5);
        long[][] mask = TinyModels.ones(3, 9);
        double cosine = TinyModels.meanCosine(TinyModels.run(fp32, ids, mask),
                TinyModels.run(OnnxGraphs.toBytes(smoothed.model()), ids, mask));
        assertThat(cosine).isGreaterThan(0.98);

        QuantizationOutcome.Quantized noTokenizer = quantized(new Quantizer().quantize(fp32,
                QuantizationRequest.of(QuantizationMode.DYNAMIC_INT8)));
        assertThat(noTokenizer.metadata().get("verdant.parameters")).contains(",smoothing=0.6,smoothed=0(no tokenizer to calibrate with)");
        QuantizationOutcome.Quantized off = quantized(new Quantizer().quantize(fp32, request.withSmoothing(0)));
        assertThat(off.metadata().get("verdant.parameters")).contains(",smoothing=0.0");
        assertThat(off.model().getGraph().getNodeList()).noneMatch(n -> n.getName().endsWith("_smoothing/Mul"));
    }

    @Test
    void staticInt8SmoothsToo() throws Exception {
        // The Mul stays: folding 1/s into a per-channel com.microsoft:QuantizeLinear (axis -1) is exact, but ONNX Runtime
        // 1.29 runs that op so slowly that the static model took 3x as long at batch 32 (docs/quantization.md): not kept.
        byte[] fp32 = TinyModels.tiny().toBytes();
        QuantizationOutcome.Quantized quantized = quantized(new Quantizer().quantize(fp32,
                QuantizationRequest.of(QuantizationMode.STATIC_INT8).withTokenizer(tokenizer()).withCalibrationSentences(sentences())));
        assertThat(quantized.metadata().get("verdant.parameters")).contains("smoothing=0.6,").contains(",smoothed=4");
        List<NodeProto> nodes = quantized.model().getGraph().getNodeList();
        assertThat(nodes.stream().filter(n -> n.getName().endsWith(Smoothing.MUL_SUFFIX)).count()).isEqualTo(4);
        assertThat(nodes.stream().filter(n -> n.getOpType().equals("QuantizeLinear"))
                .filter(n -> n.getInput(0).endsWith("_smoothed")).count()).isEqualTo(4);
        long[][] ids = TinyModels.ids(3, 9, 5);
        long[][] mask = TinyModels.ones(3, 9);
        assertThat(TinyModels.meanCosine(TinyModels.run(fp32, ids, mask),
                TinyModels.run(OnnxGraphs.toBytes(quantized.model()), ids, mask))).isGreaterThan(0.98);
    }

    @Test
    void aModelWithFewerPositionsThanTheCalibrationTextsIsCalibratedOnTruncatedTexts() throws Exception {
        // 16 positions; the STS-B train sentences (the default texts) run up to ~50 tokens.
        byte[] fp32 = TinyModels.tiny().maxPositions(16).toBytes();
        QuantizationOutcome.Quantized quantized = quantized(new Quantizer().quantize(fp32,
                QuantizationRequest.of(QuantizationMode.DYNAMIC_INT8).withTokenizer(tokenizer()).withCalibrationSamples(64)));
        assertThat(quantized.metadata().get("verdant.parameters")).contains(",smoothed=4");
        assertThat(ActivationCalibrator.maxTokens(fp32)).isEqualTo(16);
        assertThat(ActivationCalibrator.maxTokens(TinyModels.tiny().maxPositions(512).toBytes())).isEqualTo(ActivationCalibrator.MAX_LENGTH);
    }

    private static double error(float[][] exact, float[][] approximate) {
        double sum = 0;
        for (int i = 0; i < exact.length; i++) {
            for (int j = 0; j < exact[i].length; j++) {
                double d = exact[i][j] - approximate[i][j];
                sum += d * d;
            }
        }
        return Math.sqrt(sum);
    }
}
