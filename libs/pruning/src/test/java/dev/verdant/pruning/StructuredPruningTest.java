package dev.verdant.pruning;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnxruntime.OrtException;
import dev.verdant.onnx.OnnxGraphs;
import dev.verdant.onnx.Tensors;
import dev.verdant.onnx.testing.TinyBertBuilder;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * FFN neuron and attention head removal on tiny BERT graphs run in ONNX Runtime: the pruned graph
 * computes what the original computes with the removed units zeroed, and has exactly the
 * parameters of the removed units fewer.
 */
class StructuredPruningTest {

    static final int LAYERS = 2;
    static final int HIDDEN = 64;
    static final int HEADS = 8;
    static final int FFN = 128;
    static final int VOCABULARY = 200;

    private final Pruner pruner = new Pruner();

    static TinyBertBuilder tiny() {
        return TinyBertBuilder.tiny().layers(LAYERS).hidden(HIDDEN).heads(HEADS).ffn(FFN).vocabulary(VOCABULARY).seed(5);
    }

    static String w(int layer, String part) {
        return "encoder.layer." + layer + "." + part;
    }

    @Test
    void ffnPruningEqualsTheOriginalWithThoseNeuronsZeroed() throws OrtException {
        ffnEquivalence(PruningRequest.of(PruningMethod.FFN, 0.25));
    }

    @Test
    void calibratedFfnPruningEqualsTheOriginalWithThoseNeuronsZeroed() throws OrtException {
        ffnEquivalence(PruningRequest.of(PruningMethod.FFN, 0.25).withCalibration(
                ActivationProbeTest.measure(tiny().build(), OnnxRunner.Batch.random(4, 12, VOCABULARY, 11))));
    }

    private void ffnEquivalence(PruningRequest request) throws OrtException {
        byte[] source = tiny().toBytes();
        ModelProto original = tiny().build();
        PruningOutcome.Pruned pruned = pruned(pruner.prune(source, request));

        int removed = Math.round(0.25f * FFN);
        ModelProto reference = original;
        for (int layer = 0; layer < LAYERS; layer++) {
            float[] before = ModelEdits.floats(original, w(layer, "intermediate.dense.weight"));
            float[] after = ModelEdits.floats(pruned.model(), w(layer, "intermediate.dense.weight"));
            assertThat(Tensors.dims(ModelEdits.initializer(pruned.model(), w(layer, "intermediate.dense.weight"))))
                    .containsExactly(HIDDEN, FFN - removed);
            assertThat(Tensors.dims(ModelEdits.initializer(pruned.model(), w(layer, "output.dense.weight"))))
                    .containsExactly(FFN - removed, HIDDEN);
            assertThat(Tensors.dims(ModelEdits.initializer(pruned.model(), w(layer, "intermediate.dense.bias"))))
                    .containsExactly(FFN - removed);
            boolean[] kept = keptColumns(before, HIDDEN, FFN, after, FFN - removed);
            reference = ModelEdits.mapValues(reference, w(layer, "intermediate.dense.weight"), v -> ModelEdits.zeroColumns(v, FFN, kept));
            reference = ModelEdits.mapValues(reference, w(layer, "intermediate.dense.bias"), v -> ModelEdits.zeroColumns(v, FFN, kept));
            reference = ModelEdits.mapValues(reference, w(layer, "output.dense.weight"), v -> ModelEdits.zeroRows(v, HIDDEN, kept));
            assertThat(pruned.report().layers().get(layer)).isEqualTo(
                    new PruningOutcome.LayerCount(layer, "ffn", "neurons", FFN, FFN - removed));
        }

        long perNeuron = 2L * HIDDEN + 1; // a W1 column, a b1 entry, a W2 row
        assertThat(pruned.report().parametersBefore()).isEqualTo(tiny().expectedParameterCount());
        assertThat(pruned.report().parametersAfter())
                .isEqualTo(tiny().expectedParameterCount() - LAYERS * removed * perNeuron)
                .isEqualTo(ModelEdits.parameters(pruned.model()));
        assertThat(pruned.report().bytesAfter()).isLessThan(pruned.report().bytesBefore());

        OnnxRunner.Batch batch = OnnxRunner.Batch.random(3, 10, VOCABULARY, 7);
        float[][][] expected = OnnxRunner.run(OnnxGraphs.toBytes(reference), batch);
        float[][][] actual = OnnxRunner.run(OnnxGraphs.toBytes(pruned.model()), batch);
        float[][][] unpruned = OnnxRunner.run(source, batch);
        assertThat(OnnxRunner.maxDifference(actual, expected)).isLessThan(1e-4);
        // and pruning did change the function (the test could fail)
        assertThat(OnnxRunner.maxDifference(actual, unpruned)).isGreaterThan(1e-3);
    }

    @Test
    void ffnKeepsTheNeuronsWithTheLargestNormProduct() {
        ModelProto original = tiny().build();
        float[] w1 = ModelEdits.floats(original, w(0, "intermediate.dense.weight"));
        float[] w2 = ModelEdits.floats(original, w(0, "output.dense.weight"));
        double[] score = new double[FFN];
        for (int j = 0; j < FFN; j++) {
            double in = 0;
            double out = 0;
            for (int i = 0; i < HIDDEN; i++) {
                in += w1[i * FFN + j] * w1[i * FFN + j];
                out += w2[j * HIDDEN + i] * w2[j * HIDDEN + i];
            }
            score[j] = Math.sqrt(in) * Math.sqrt(out);
        }
        double[] sorted = score.clone();
        Arrays.sort(sorted);
        double cut = sorted[FFN / 2 - 1];
        PruningOutcome.Pruned pruned = pruned(pruner.prune(tiny().toBytes(), PruningRequest.of(PruningMethod.FFN, 0.5)));
        boolean[] kept = keptColumns(w1, HIDDEN, FFN, ModelEdits.floats(pruned.model(), w(0, "intermediate.dense.weight")), FFN / 2);
        for (int j = 0; j < FFN; j++) {
            assertThat(kept[j]).as("neuron %d, score %f, cut %f", j, score[j], cut).isEqualTo(score[j] > cut);
        }
    }

    @Test
    void calibrationStatisticsDecideWhichNeuronsStay() {
        float[] loud = new float[FFN];
        Arrays.fill(loud, 1e-6f);
        loud[3] = 100f;
        float[] quiet = new float[FFN];
        Arrays.fill(quiet, 1f);
        ModelProto model = tiny().build();
        EncoderBlocks blocks = EncoderBlocks.find(new GraphEditor(model.getGraph()));
        java.util.Map<String, float[]> means = java.util.Map.of(blocks.feedForwards().get(0).actOut(), loud,
                blocks.feedForwards().get(1).actOut(), quiet);
        ActivationStatistics stats = new ActivationStatistics(means, means, 50, "made up");
        // Remove 127 of 128: only the neuron with the big activation can survive in layer 0.
        PruningOutcome.Pruned pruned = pruned(pruner.prune(tiny().toBytes(),
                PruningRequest.of(PruningMethod.FFN, 0.999).withCalibration(stats)));
        float[] w1 = ModelEdits.floats(tiny().build(), w(0, "intermediate.dense.weight"));
        boolean[] kept = keptColumns(w1, HIDDEN, FFN, ModelEdits.floats(pruned.model(), w(0, "intermediate.dense.weight")), 1);
        assertThat(kept[3]).isTrue();
        assertThat(pruned.report().notes()).anyMatch(note -> note.contains("made up; 50 tokens"));
    }

    @Test
    void headPruningEqualsTheOriginalWithThoseHeadsZeroed() throws OrtException {
        headEquivalence(PruningRequest.of(PruningMethod.HEADS, 0.25));
    }

    /**
     * Calibrated: head h ranked by sqrt(sum_{j in h} rms(context_j)^2 ||W_O row j||^2), computed here
     * from the statistics independently of HeadPruning; the heads kept are the top ones by it.
     */
    @Test
    void calibratedHeadPruningKeepsTheLoudestHeadsAndEqualsTheOriginalWithTheOthersZeroed() throws OrtException {
        ModelProto original = tiny().build();
        ActivationStatistics stats = ActivationProbeTest.measure(original, OnnxRunner.Batch.random(4, 12, VOCABULARY, 13));
        boolean[][] kept = headEquivalence(PruningRequest.of(PruningMethod.HEADS, 0.25).withCalibration(stats));
        EncoderBlocks blocks = EncoderBlocks.find(new GraphEditor(original.getGraph()));
        int d = HIDDEN / HEADS;
        for (int layer = 0; layer < LAYERS; layer++) {
            float[] context = stats.rms().get(HeadPruning.context(new GraphEditor(original.getGraph()),
                    blocks.attentions().get(layer)));
            float[] wo = ModelEdits.floats(original, w(layer, "attention.output.dense.weight"));
            double[] score = new double[HEADS];
            for (int h = 0; h < HEADS; h++) {
                for (int j = h * d; j < (h + 1) * d; j++) {
                    double row = 0;
                    for (int c = 0; c < HIDDEN; c++) {
                        row += wo[j * HIDDEN + c] * wo[j * HIDDEN + c];
                    }
                    score[h] += context[j] * context[j] * row;
                }
            }
            double[] sorted = score.clone();
            Arrays.sort(sorted);
            for (int h = 0; h < HEADS; h++) {
                assertThat(kept[layer][h * d]).as("layer %d head %d score %f", layer, h, score[h]).isEqualTo(score[h] > sorted[1]);
            }
        }
    }

    /** Checks the pruned model against the original with the removed heads zeroed; returns the kept columns per layer. */
    private boolean[][] headEquivalence(PruningRequest request) throws OrtException {
        byte[] source = tiny().toBytes();
        ModelProto original = tiny().build();
        PruningOutcome.Pruned pruned = pruned(pruner.prune(source, request));
        boolean[][] keptPerLayer = new boolean[LAYERS][];
        int d = HIDDEN / HEADS;
        int keptHeads = HEADS - 2;

        ModelProto reference = original;
        for (int layer = 0; layer < LAYERS; layer++) {
            float[] before = ModelEdits.floats(original, w(layer, "attention.self.value.weight"));
            float[] after = ModelEdits.floats(pruned.model(), w(layer, "attention.self.value.weight"));
            boolean[] kept = keptColumns(before, HIDDEN, HIDDEN, after, keptHeads * d);
            keptPerLayer[layer] = kept;
            for (int h = 0; h < HEADS; h++) {
                for (int j = 1; j < d; j++) {
                    assertThat(kept[h * d + j]).as("a head is kept or removed whole").isEqualTo(kept[h * d]);
                }
            }
            for (String part : new String[] {"query", "key", "value"}) {
                assertThat(Tensors.dims(ModelEdits.initializer(pruned.model(), w(layer, "attention.self." + part + ".weight"))))
                        .containsExactly(HIDDEN, keptHeads * d);
                reference = ModelEdits.mapValues(reference, w(layer, "attention.self." + part + ".weight"),
                        v -> ModelEdits.zeroColumns(v, HIDDEN, kept));
                reference = ModelEdits.mapValues(reference, w(layer, "attention.self." + part + ".bias"),
                        v -> ModelEdits.zeroColumns(v, HIDDEN, kept));
            }
            assertThat(Tensors.dims(ModelEdits.initializer(pruned.model(), w(layer, "attention.output.dense.weight"))))
                    .containsExactly(keptHeads * d, HIDDEN);
            reference = ModelEdits.mapValues(reference, w(layer, "attention.output.dense.weight"),
                    v -> ModelEdits.zeroRows(v, HIDDEN, kept));
            assertThat(pruned.report().layers().get(layer)).isEqualTo(
                    new PruningOutcome.LayerCount(layer, "heads", "heads", HEADS, keptHeads));
        }
        long perHead = 4L * d * HIDDEN + 3L * d; // Q, K, V columns and biases, W_O rows
        assertThat(pruned.report().parametersAfter())
                .isEqualTo(tiny().expectedParameterCount() - LAYERS * 2 * perHead)
                .isEqualTo(ModelEdits.parameters(pruned.model()));

        OnnxRunner.Batch batch = OnnxRunner.Batch.random(3, 10, VOCABULARY, 8);
        float[][][] expected = OnnxRunner.run(OnnxGraphs.toBytes(reference), batch);
        float[][][] actual = OnnxRunner.run(OnnxGraphs.toBytes(pruned.model()), batch);
        assertThat(OnnxRunner.maxDifference(actual, expected)).isLessThan(1e-4);
        assertThat(OnnxRunner.maxDifference(actual, OnnxRunner.run(source, batch))).isGreaterThan(1e-3);
        return keptPerLayer;
    }

    @Test
    void neverAllHeadsOfALayerAndGlobalScopeRanksAcrossLayers() throws OrtException {
        PruningOutcome.Pruned all = pruned(pruner.prune(tiny().toBytes(), PruningRequest.of(PruningMethod.HEADS, 0.99)));
        assertThat(all.report().layers()).allMatch(count -> count.kept() == 1);
        assertThat(all.report().notes()).anyMatch(note -> note.contains("one head per layer is kept"));
        OnnxRunner.run(OnnxGraphs.toBytes(all.model()), OnnxRunner.Batch.random(2, 6, VOCABULARY, 1));

        PruningOutcome.Pruned global = pruned(pruner.prune(tiny().toBytes(),
                PruningRequest.of(PruningMethod.HEADS, 0.5).withScope(PruningScope.GLOBAL)));
        assertThat(global.report().layers().stream().mapToLong(PruningOutcome.LayerCount::kept).sum()).isEqualTo(HEADS);
        assertThat(global.report().layers()).allMatch(count -> count.kept() >= 1);
        OnnxRunner.run(OnnxGraphs.toBytes(global.model()), OnnxRunner.Batch.random(2, 6, VOCABULARY, 1));
    }

    @Test
    void onlyTheLayersAskedForArePruned() {
        PruningOutcome.Pruned pruned = pruned(pruner.prune(tiny().toBytes(),
                PruningRequest.of(PruningMethod.FFN, 0.5).withLayers(Set.of(1))));
        assertThat(pruned.report().layers()).containsExactly(new PruningOutcome.LayerCount(1, "ffn", "neurons", FFN, FFN / 2));
        assertThat(Tensors.dims(ModelEdits.initializer(pruned.model(), w(0, "intermediate.dense.weight"))))
                .containsExactly(HIDDEN, FFN);

        PruningOutcome missing = pruner.prune(tiny().toBytes(), PruningRequest.of(PruningMethod.HEADS, 0.5).withLayers(Set.of(7)));
        assertThat(missing).isInstanceOfSatisfying(PruningOutcome.Failed.class, failed -> {
            assertThat(failed.reason()).isEqualTo(PruningOutcome.Reason.NOTHING_TO_DO);
            assertThat(failed.message()).contains("[7]").contains("0 to 1");
        });
    }

    @Test
    void metadataNamesTheMethodTheAmountAndTheSource() {
        byte[] source = tiny().toBytes();
        PruningOutcome.Pruned pruned = pruned(pruner.prune(source,
                PruningRequest.of(PruningMethod.HEADS, 0.25).withRecoverySteps(500)));
        var metadata = pruned.model().getMetadataPropsList().stream()
                .collect(java.util.stream.Collectors.toMap(e -> e.getKey(), e -> e.getValue()));
        assertThat(metadata).containsEntry("verdant.method", "heads").containsEntry("verdant.amount", "0.25")
                .containsEntry("verdant.criterion", "weight-norms").doesNotContainKey("verdant.calibration")
                .containsEntry("verdant.source-sha256", Pruner.sha256(source)).containsEntry("verdant.technique", "prune");
        assertThat(pruned.report().notes()).anyMatch(note -> note.contains("recoverySteps 500") && note.contains("not supported yet"));
    }

    @Test
    void methodsComposeOnAnAlreadyPrunedModel() throws OrtException {
        PruningOutcome.Pruned ffn = pruned(pruner.prune(tiny().toBytes(), PruningRequest.of(PruningMethod.FFN, 0.5)));
        PruningOutcome.Pruned heads = pruned(pruner.prune(OnnxGraphs.toBytes(ffn.model()), PruningRequest.of(PruningMethod.HEADS, 0.5)));
        assertThat(heads.report().layers()).allMatch(count -> count.kept() == HEADS / 2);
        PruningOutcome.Pruned again = pruned(pruner.prune(OnnxGraphs.toBytes(heads.model()), PruningRequest.of(PruningMethod.FFN, 0.5)));
        assertThat(again.report().layers()).allMatch(count -> count.before() == FFN / 2 && count.kept() == FFN / 4);
        float[][][] out = OnnxRunner.run(OnnxGraphs.toBytes(again.model()), OnnxRunner.Batch.random(2, 7, VOCABULARY, 2));
        assertThat(out[0][0]).hasSize(HIDDEN);
    }

    /** Which of the original's columns the pruned matrix kept (matched by value). */
    static boolean[] keptColumns(float[] original, int rows, int cols, float[] pruned, int keptCols) {
        assertThat(pruned.length).isEqualTo(rows * keptCols);
        boolean[] kept = new boolean[cols];
        int next = 0;
        for (int c = 0; c < keptCols; c++) {
            boolean found = false;
            for (int j = next; j < cols && !found; j++) {
                boolean same = true;
                for (int i = 0; i < rows && same; i++) {
                    same = original[i * cols + j] == pruned[i * keptCols + c];
                }
                if (same) {
                    kept[j] = true;
                    next = j + 1;
                    found = true;
                }
            }
            assertThat(found).as("pruned column %d is a column of the original, in order", c).isTrue();
        }
        return kept;
    }

    static PruningOutcome.Pruned pruned(PruningOutcome outcome) {
        assertThat(outcome).as("outcome %s", outcome).isInstanceOf(PruningOutcome.Pruned.class);
        return (PruningOutcome.Pruned) outcome;
    }
}
