package dev.verdant.pruning;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnxruntime.OrtException;
import dev.verdant.onnx.OnnxGraphs;
import dev.verdant.onnx.Tensors;
import dev.verdant.onnx.testing.TinyBertBuilder;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class UnstructuredPruningTest {

    private final Pruner pruner = new Pruner();

    static TinyBertBuilder tiny() {
        return TinyBertBuilder.tiny().layers(2).hidden(64).heads(4).ffn(128).vocabulary(100).seed(21);
    }

    static List<String> weightNames(ModelProto model) {
        List<String> names = new ArrayList<>();
        for (TensorProto tensor : model.getGraph().getInitializerList()) {
            if (tensor.getName().startsWith("encoder.layer.") && tensor.getName().endsWith(".weight") && tensor.getDimsCount() == 2) {
                names.add(tensor.getName());
            }
        }
        return names;
    }

    @Test
    void halfTheWeightsZeroedComputeLikeTheDenseZeroedModelInASmallerFile() throws OrtException {
        byte[] source = tiny().toBytes();
        ModelProto original = tiny().build();
        PruningOutcome.Pruned pruned = StructuredPruningTest.pruned(pruner.prune(source,
                PruningRequest.of(PruningMethod.UNSTRUCTURED, 0.5)));

        // Reference: each weight matrix with its own smaller half (by |w|) set to 0, stored dense.
        List<String> names = weightNames(original);
        assertThat(names).hasSize(12);
        ModelProto reference = original;
        for (String name : names) {
            reference = ModelEdits.mapValues(reference, name, values -> {
                float[] magnitudes = new float[values.length];
                for (int i = 0; i < values.length; i++) {
                    magnitudes[i] = Math.abs(values[i]);
                }
                Arrays.sort(magnitudes);
                float cut = magnitudes[values.length / 2 - 1];
                for (int i = 0; i < values.length; i++) {
                    if (Math.abs(values[i]) <= cut) {
                        values[i] = 0;
                    }
                }
                return values;
            });
        }
        for (PruningOutcome.LayerCount count : pruned.report().layers()) {
            assertThat(count.kept()).isEqualTo(count.before() / 2);
        }
        assertThat(pruned.report().layers()).hasSize(12);
        assertThat(pruned.report().notes()).anyMatch(note -> note.contains("original speed"));
        // 0.5 x (4 + 1) bytes per matrix element instead of 4: 1.5 bytes saved each, less the rebuild nodes' names.
        long matrixElements = 2L * (4 * 64 * 64 + 2 * 64 * 128);
        assertThat(pruned.report().bytesBefore() - pruned.report().bytesAfter()).isGreaterThan(matrixElements);
        assertThat(OnnxGraphs.toBytes(pruned.model()).length).isEqualTo((int) pruned.report().bytesAfter());
        assertThat(pruned.model().getGraph().getNodeList()).anyMatch(n -> n.getOpType().equals("ScatterElements"));

        // densify gives back exactly the reference's zeroed dense matrices, as plain initializers
        ModelProto dense = Pruner.densify(pruned.model());
        for (String name : names) {
            assertThat(ModelEdits.floats(dense, name)).containsExactly(ModelEdits.floats(reference, name));
        }
        assertThat(dense.getGraph().getNodeList()).noneMatch(n -> n.getOpType().equals("ScatterElements")
                || n.getOpType().equals("CumSum") || n.getOpType().equals("ConstantOfShape"));
        assertThat(ModelEdits.parameters(dense)).isEqualTo(ModelEdits.parameters(original));

        OnnxRunner.Batch batch = OnnxRunner.Batch.random(3, 10, 100, 3);
        float[][][] expected = OnnxRunner.run(OnnxGraphs.toBytes(reference), batch);
        float[][][] actual = OnnxRunner.run(OnnxGraphs.toBytes(pruned.model()), batch);
        assertThat(OnnxRunner.maxDifference(actual, expected)).isLessThan(1e-5);
        assertThat(OnnxRunner.maxDifference(actual, OnnxRunner.run(source, batch))).isGreaterThan(1e-3);
    }

    /** The activation input of the MatMul reading weight {@code name}. */
    static String inputOf(ModelProto model, String name) {
        return model.getGraph().getNodeList().stream()
                .filter(n -> n.getOpType().equals("MatMul") && n.getInput(1).equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no MatMul reads " + name)).getInput(0);
    }

    /**
     * Wanda: in each output column of each weight [rows, cols], the rows/2 weights of lowest
     * |W_ij| x rms(x_i) are zeroed (computed here, with a comparator sort, independently of
     * MagnitudePruning); the compact model computes what the original does with those zeroed.
     */
    @Test
    void wandaZeroesTheLowestScoredHalfOfEachOutputAndComputesLikeTheDenseZeroedModel() throws OrtException {
        byte[] source = tiny().toBytes();
        ModelProto original = tiny().build();
        ActivationStatistics stats = ActivationProbeTest.measure(original, OnnxRunner.Batch.random(4, 12, 100, 17));
        PruningOutcome.Pruned wanda = StructuredPruningTest.pruned(pruner.prune(source,
                PruningRequest.of(PruningMethod.UNSTRUCTURED, 0.5).withCalibration(stats)));
        PruningOutcome.Pruned magnitude = StructuredPruningTest.pruned(pruner.prune(source,
                PruningRequest.of(PruningMethod.UNSTRUCTURED, 0.5)));

        ModelProto reference = original;
        ModelProto wandaDense = Pruner.densify(wanda.model());
        ModelProto magnitudeDense = Pruner.densify(magnitude.model());
        int differentZeros = 0;
        for (String name : weightNames(original)) {
            long[] dims = Tensors.dims(ModelEdits.initializer(original, name));
            int rows = (int) dims[0];
            int cols = (int) dims[1];
            float[] norms = stats.rms().get(inputOf(original, name));
            assertThat(norms).as("input norms of " + name).hasSize(rows);
            reference = ModelEdits.mapValues(reference, name, values -> {
                for (int j = 0; j < cols; j++) {
                    final int column = j;
                    Integer[] order = new Integer[rows];
                    for (int i = 0; i < rows; i++) {
                        order[i] = i;
                    }
                    Arrays.sort(order, java.util.Comparator.<Integer>comparingDouble(
                            i -> Math.abs(values[i * cols + column]) * norms[i]).thenComparingInt(i -> i));
                    for (int k = 0; k < rows / 2; k++) {
                        values[order[k] * cols + j] = 0;
                    }
                }
                return values;
            });
            float[] expected = ModelEdits.floats(reference, name);
            float[] actual = ModelEdits.floats(wandaDense, name);
            float[] byMagnitude = ModelEdits.floats(magnitudeDense, name);
            for (int i = 0; i < expected.length; i++) {
                assertThat(actual[i]).as("%s[%d]", name, i).isEqualTo(expected[i]);
                differentZeros += (actual[i] == 0) != (byMagnitude[i] == 0) ? 1 : 0;
            }
        }
        // the activations changed the choice (else this test would not tell Wanda from magnitude)
        assertThat(differentZeros).isGreaterThan(100);
        for (PruningOutcome.LayerCount count : wanda.report().layers()) {
            assertThat(count.kept()).isEqualTo(count.before() / 2);
        }
        assertThat(wanda.report().notes()).anyMatch(note -> note.contains("Wanda") && note.contains("random test batch"));
        var metadata = wanda.model().getMetadataPropsList().stream()
                .collect(java.util.stream.Collectors.toMap(e -> e.getKey(), e -> e.getValue()));
        assertThat(metadata).containsEntry("verdant.criterion", "wanda")
                .containsEntry("verdant.calibration", stats.describe());

        OnnxRunner.Batch batch = OnnxRunner.Batch.random(3, 10, 100, 3);
        float[][][] expected = OnnxRunner.run(OnnxGraphs.toBytes(reference), batch);
        float[][][] actual = OnnxRunner.run(OnnxGraphs.toBytes(wanda.model()), batch);
        assertThat(OnnxRunner.maxDifference(actual, expected)).isLessThan(1e-5);
        assertThat(OnnxRunner.maxDifference(actual, OnnxRunner.run(source, batch))).isGreaterThan(1e-3);
    }

    @Test
    void globalWandaRemovesExactlyTheShareUnderOneThreshold() throws OrtException {
        ModelProto original = tiny().build();
        ActivationStatistics stats = ActivationProbeTest.measure(original, OnnxRunner.Batch.random(2, 8, 100, 19));
        PruningOutcome.Pruned pruned = StructuredPruningTest.pruned(pruner.prune(OnnxGraphs.toBytes(original),
                PruningRequest.of(PruningMethod.UNSTRUCTURED, 0.3).withScope(PruningScope.GLOBAL).withCalibration(stats)));
        long before = pruned.report().layers().stream().mapToLong(PruningOutcome.LayerCount::before).sum();
        long kept = pruned.report().layers().stream().mapToLong(PruningOutcome.LayerCount::kept).sum();
        assertThat(before - kept).isEqualTo(Math.round(0.3 * before));
        assertThat(pruned.report().layers().stream().map(PruningOutcome.LayerCount::kept).distinct().count()).isGreaterThan(1);
        // every weight kept scores at least as high as every weight zeroed
        ModelProto dense = Pruner.densify(pruned.model());
        double lowestKept = Double.MAX_VALUE;
        double highestZeroed = 0;
        for (String name : weightNames(original)) {
            float[] values = ModelEdits.floats(original, name);
            float[] after = ModelEdits.floats(dense, name);
            float[] norms = stats.rms().get(inputOf(original, name));
            int cols = (int) Tensors.dims(ModelEdits.initializer(original, name))[1];
            for (int i = 0; i < values.length; i++) {
                double score = Math.abs(values[i]) * norms[i / cols]; // float arithmetic, as the pruner scores
                if (after[i] == 0) {
                    highestZeroed = Math.max(highestZeroed, score);
                } else {
                    lowestKept = Math.min(lowestKept, score);
                }
            }
        }
        assertThat(lowestKept).isGreaterThanOrEqualTo(highestZeroed * (1 - 1e-6));
    }

    @Test
    void globalScopeUsesOneThresholdForAllMatrices() {
        ModelProto original = tiny().build();
        PruningOutcome.Pruned pruned = StructuredPruningTest.pruned(pruner.prune(OnnxGraphs.toBytes(original),
                PruningRequest.of(PruningMethod.UNSTRUCTURED, 0.3).withScope(PruningScope.GLOBAL)));
        long before = pruned.report().layers().stream().mapToLong(PruningOutcome.LayerCount::before).sum();
        long kept = pruned.report().layers().stream().mapToLong(PruningOutcome.LayerCount::kept).sum();
        assertThat(before - kept).isEqualTo(Math.round(0.3 * before));
        // Different matrices lose different shares (the FFN weights of this tiny model have the same scale,
        // so the shares differ only by sampling), but not all the same as per layer would.
        assertThat(pruned.report().layers().stream().map(PruningOutcome.LayerCount::kept).distinct().count()).isGreaterThan(1);
    }

    @Test
    void theCompactEncodingRoundTripsAndBridgesLongGaps() {
        Random random = new Random(2);
        float[] dense = new float[5000];
        for (int i = 0; i < dense.length; i++) {
            dense[i] = random.nextInt(10) < 3 ? (float) random.nextGaussian() : 0f;
        }
        Arrays.fill(dense, 1000, 2000, 0f); // a gap of 1000 needs bridging entries
        dense[0] = 0.5f;
        dense[4999] = -0.25f;
        SparseStorage.Encoded encoded = SparseStorage.encode(dense);
        assertThat(SparseStorage.decode(encoded, dense.length)).containsExactly(dense);
        long nonzero = 0;
        for (float v : dense) {
            nonzero += v != 0 ? 1 : 0;
        }
        assertThat(encoded.entries()).isBetween((int) nonzero, (int) nonzero + 5);
        assertThat(SparseStorage.decode(SparseStorage.encode(new float[300]), 300)).containsOnly(0f);
    }

    @Test
    void weightsAreStoredAsGapsAndValues() {
        PruningOutcome.Pruned pruned = StructuredPruningTest.pruned(pruner.prune(tiny().toBytes(),
                PruningRequest.of(PruningMethod.UNSTRUCTURED, 0.75)));
        String name = "encoder.layer.0.intermediate.dense.weight";
        assertThat(pruned.model().getGraph().getInitializerList()).noneMatch(t -> t.getName().equals(name));
        TensorProto values = ModelEdits.initializer(pruned.model(), name + "_sparse/values");
        assertThat(Tensors.elementCount(values)).isBetween(64L * 128 / 4, 64L * 128 / 4 + 10);
        assertThat(ModelEdits.initializer(pruned.model(), name + "_sparse/gaps").getDataType())
                .isEqualTo(TensorProto.DataType.UINT8_VALUE);
    }
}
