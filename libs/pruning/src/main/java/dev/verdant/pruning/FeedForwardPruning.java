package dev.verdant.pruning;

import ai.onnx.proto.OnnxMl.TensorProto;
import dev.verdant.onnx.Tensors;

import java.util.ArrayList;
import java.util.List;

/**
 * Removes intermediate neurons of the feed-forward blocks {@code act(x W1 + b1) W2 + b2}: neuron j
 * is column j of W1, entry j of b1 and row j of W2; removing all three removes exactly its
 * contribution act(x W1_j + b1_j) W2_j (for an activation with act(0) = 0, the same as zeroing them).
 *
 * <p>Importance of neuron j: {@code ||W1[:, j]|| x ||W2[j, :]||} (how large its input can be times
 * how far its output reaches); with calibration statistics, {@code mean|act_j| x ||W2[j, :]||}.
 */
final class FeedForwardPruning {

    private FeedForwardPruning() {
    }

    /** Importance per neuron of each block, in block order. */
    static List<double[]> importance(GraphEditor graph, List<EncoderBlocks.FeedForward> blocks,
            java.util.Optional<ActivationStatistics> calibration) {
        List<double[]> scores = new ArrayList<>();
        for (int b = 0; b < blocks.size(); b++) {
            EncoderBlocks.FeedForward block = blocks.get(b);
            Matrix w1 = Matrix.of(graph.initializer(block.w1()).orElseThrow());
            Matrix w2 = Matrix.of(graph.initializer(block.w2()).orElseThrow());
            double[] score = new double[block.ffn()];
            float[] activation = calibration.map(stats -> stats.meanAbs().get(block.actOut())).orElse(null);
            for (int j = 0; j < block.ffn(); j++) {
                double input = activation != null ? Math.abs(activation[j]) : w1.columnNorm(j);
                score[j] = input * w2.rowNorm(j);
            }
            scores.add(score);
        }
        return scores;
    }

    /** Keeps the listed neurons (ascending) of one block. */
    static void keep(GraphEditor graph, EncoderBlocks.FeedForward block, int[] kept) {
        Matrix w1 = Matrix.of(graph.initializer(block.w1()).orElseThrow());
        Matrix w2 = Matrix.of(graph.initializer(block.w2()).orElseThrow());
        graph.replaceInitializer(w1.keepColumns(kept).toTensor());
        graph.replaceInitializer(w2.keepRows(kept).toTensor());
        block.b1().ifPresent(name -> {
            TensorProto bias = graph.initializer(name).orElseThrow();
            graph.replaceInitializer(Tensors.ofFloats(name, new long[] {kept.length},
                    Matrix.keepEntries(Tensors.toFloats(bias), kept)));
        });
    }
}
