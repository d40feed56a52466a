package dev.verdant.pruning;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnxruntime.OrtException;
import dev.verdant.onnx.OnnxGraphs;
import dev.verdant.onnx.Tensors;
import dev.verdant.onnx.testing.TinyBertBuilder;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class LowRankTest {

    private final Pruner pruner = new Pruner();

    @Test
    void truncationErrorIsTheNormOfTheDiscardedSingularValues() {
        Random random = new Random(1);
        int m = 48;
        int n = 80;
        float[] values = new float[m * n];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextGaussian();
        }
        Matrix w = new Matrix("w", m, n, values);
        for (double energy : new double[] {0.3, 0.6, 0.9, 0.99}) {
            LowRank.Factorization f = LowRank.factorize(w, energy);
            double[] s = f.singularValues();
            for (int i = 1; i < s.length; i++) {
                assertThat(s[i]).isLessThanOrEqualTo(s[i - 1]);
            }
            assertThat(f.energyKept()).isGreaterThanOrEqualTo(energy);
            // W - A B, in double
            double error = 0;
            double norm = 0;
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double product = 0;
                    for (int k = 0; k < f.rank(); k++) {
                        product += (double) f.a()[i * f.rank() + k] * f.b()[k * n + j];
                    }
                    double diff = values[i * n + j] - product;
                    error += diff * diff;
                    norm += (double) values[i * n + j] * values[i * n + j];
                }
            }
            assertThat(Math.sqrt(error)).as("energy %s rank %d", energy, f.rank())
                    .isCloseTo(f.discardedNorm(), within(1e-4 * Math.sqrt(norm)));
            // and the energy bookkeeping agrees: kept = 1 - discarded^2 / ||W||^2
            assertThat(f.energyKept()).isCloseTo(1 - f.discardedNorm() * f.discardedNorm() / norm, within(1e-6));
        }
        assertThat(LowRank.factorize(w, 0.3).rank()).isLessThan(LowRank.factorize(w, 0.9).rank());
        assertThat(LowRank.factorize(w, 1.0).rank()).isEqualTo(m);
    }

    @Test
    void aRankOneMatrixNeedsRankOne() {
        int m = 20;
        int n = 30;
        float[] values = new float[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                values[i * n + j] = (i + 1) * (j - 7.5f);
            }
        }
        LowRank.Factorization f = LowRank.factorize(new Matrix("w", m, n, values), 0.999999);
        assertThat(f.rank()).isEqualTo(1);
        assertThat(f.discardedNorm()).isLessThan(1e-3);
    }

    @Test
    void factorizedGraphComputesTheRankKApproximation() throws OrtException {
        TinyBertBuilder builder = TinyBertBuilder.tiny().layers(1).hidden(32).heads(4).ffn(64).vocabulary(100).seed(9);
        ModelProto original = builder.build();
        PruningOutcome.Pruned pruned = StructuredPruningTest.pruned(pruner.prune(builder.toBytes(),
                PruningRequest.of(PruningMethod.LOWRANK, 0.5)));

        // Every factorized weight W became A [m, k] and B [k, n]: the reference uses A B in place of W.
        ModelProto reference = original;
        int factorized = 0;
        for (PruningOutcome.LayerCount count : pruned.report().layers()) {
            if (count.kept() == count.before()) {
                continue;
            }
            factorized++;
            String name = count.block();
            float[] a = ModelEdits.floats(pruned.model(), name + "_lowrank_A");
            float[] b = ModelEdits.floats(pruned.model(), name + "_lowrank_B");
            long[] dims = Tensors.dims(ModelEdits.initializer(original, name));
            int m = (int) dims[0];
            int n = (int) dims[1];
            int k = (int) count.kept();
            assertThat(k).isLessThan((int) Math.ceil(LowRank.breakEvenRank(m, n)));
            reference = ModelEdits.mapValues(reference, name, values -> {
                float[] product = new float[m * n];
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        double sum = 0;
                        for (int r = 0; r < k; r++) {
                            sum += (double) a[i * k + r] * b[r * n + j];
                        }
                        product[i * n + j] = (float) sum;
                    }
                }
                return product;
            });
            assertThat(pruned.model().getGraph().getInitializerList()).noneMatch(t -> t.getName().equals(name));
        }
        assertThat(factorized).isEqualTo(6); // Q, K, V, O, FFN in, FFN out: random weights have a flat spectrum
        long matmuls = pruned.model().getGraph().getNodeList().stream().filter(n -> n.getOpType().equals("MatMul")).count();
        assertThat(matmuls).isEqualTo(2 + 6 * 2);
        assertThat(pruned.report().parametersAfter()).isLessThan(pruned.report().parametersBefore());

        OnnxRunner.Batch batch = OnnxRunner.Batch.random(2, 9, 100, 4);
        float[][][] expected = OnnxRunner.run(OnnxGraphs.toBytes(reference), batch);
        float[][][] actual = OnnxRunner.run(OnnxGraphs.toBytes(pruned.model()), batch);
        assertThat(OnnxRunner.maxDifference(actual, expected)).isLessThan(1e-4);
        assertThat(OnnxRunner.maxDifference(actual, OnnxRunner.run(builder.toBytes(), batch))).isGreaterThan(1e-3);
    }

    @Test
    void matricesThatWouldNotGainAreLeftDenseAndSaidSo() {
        TinyBertBuilder builder = TinyBertBuilder.tiny().layers(1).hidden(32).heads(4).ffn(64).vocabulary(100).seed(9);
        PruningOutcome outcome = pruner.prune(builder.toBytes(), PruningRequest.of(PruningMethod.LOWRANK, 0.99));
        assertThat(outcome).isInstanceOfSatisfying(PruningOutcome.Failed.class, failed -> {
            assertThat(failed.reason()).isEqualTo(PruningOutcome.Reason.NOTHING_TO_DO);
            assertThat(failed.message()).contains("m n / (m + n)").contains("lower the amount");
        });

        // A low-rank weight gains, the random ones do not: one factorized, the rest noted as skipped.
        ModelProto model = builder.build();
        String ffnIn = "encoder.layer.0.intermediate.dense.weight";
        model = ModelEdits.mapValues(model, ffnIn, values -> {
            for (int i = 0; i < 32; i++) {
                for (int j = 0; j < 64; j++) {
                    values[i * 64 + j] = 0.01f * (i % 3 + 1) * (j % 5 - 2) + 0.002f * ((i + j) % 2);
                }
            }
            return values;
        });
        PruningOutcome.Pruned pruned = StructuredPruningTest.pruned(pruner.prune(OnnxGraphs.toBytes(model),
                PruningRequest.of(PruningMethod.LOWRANK, 0.99)));
        assertThat(pruned.report().layers()).filteredOn(count -> count.kept() < count.before())
                .extracting(PruningOutcome.LayerCount::block).containsExactly(ffnIn);
        assertThat(pruned.report().notes()).filteredOn(note -> note.contains("left dense")).hasSize(5);
        NodeProto first = pruned.model().getGraph().getNodeList().stream()
                .filter(n -> n.getInputList().contains(ffnIn + "_lowrank_A")).findFirst().orElseThrow();
        assertThat(first.getOpType()).isEqualTo("MatMul");
    }
}
