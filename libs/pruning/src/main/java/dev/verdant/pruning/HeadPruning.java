package dev.verdant.pruning;

import ai.onnx.proto.OnnxMl.TensorProto;
import dev.verdant.onnx.Tensors;

import java.util.ArrayList;
import java.util.List;

/**
 * Removes attention heads. Head h owns columns [h d, (h + 1) d) of W_Q, W_K, W_V (and those bias
 * entries) and rows [h d, (h + 1) d) of the output projection W_O. Its softmax is computed on its
 * own, so dropping all of these removes exactly its term softmax(q_h k_h^T / sqrt d) v_h W_O,h: the
 * same as zeroing its V columns and W_O rows. The Reshapes that split into heads get the new head
 * count, the one that merges them the new width (kept x d); the 1/sqrt(d) scale is unchanged.
 *
 * <p>Importance of head h: {@code ||W_V[:, h]||_F x ||W_O[h, :]||_F}, the weight norm of the path its
 * output takes (the analogue of the feed-forward neuron score). With calibration statistics, from the
 * context the head actually produces, the input of W_O: {@code sqrt(sum_{j in h} rms(ctx_j)^2
 * ||W_O[j, :]||^2)}, the expected size of its contribution if its features were uncorrelated.
 */
final class HeadPruning {

    private HeadPruning() {
    }

    static List<double[]> importance(GraphEditor graph, List<EncoderBlocks.Attention> blocks,
            java.util.Optional<ActivationStatistics> calibration) {
        List<double[]> scores = new ArrayList<>();
        for (EncoderBlocks.Attention block : blocks) {
            Matrix value = Matrix.of(graph.initializer(block.projections().get(2).weight()).orElseThrow());
            Matrix out = Matrix.of(graph.initializer(block.outWeight()).orElseThrow());
            float[] context = calibration.map(stats -> stats.rms().get(context(graph, block))).orElse(null);
            double[] score = new double[block.heads()];
            int d = block.headSize();
            for (int h = 0; h < block.heads(); h++) {
                if (context == null) {
                    score[h] = value.columnBlockNorm(h * d, (h + 1) * d) * out.rowBlockNorm(h * d, (h + 1) * d);
                    continue;
                }
                double sum = 0;
                for (int j = h * d; j < (h + 1) * d; j++) {
                    double row = out.rowNorm(j);
                    sum += (double) context[j] * context[j] * row * row;
                }
                score[h] = Math.sqrt(sum);
            }
            scores.add(score);
        }
        return scores;
    }

    /** The merged attention context: the input of the output projection's MatMul. */
    static String context(GraphEditor graph, EncoderBlocks.Attention block) {
        for (int consumer : graph.consumers(block.outWeight())) {
            ai.onnx.proto.OnnxMl.NodeProto node = graph.node(consumer);
            if (node.getOpType().equals("MatMul") && node.getInputCount() == 2 && node.getInput(1).equals(block.outWeight())) {
                return node.getInput(0);
            }
        }
        throw new IllegalStateException("no MatMul reads the output projection " + block.outWeight());
    }

    /** Keeps the listed heads (ascending, at least one) of one block. */
    static void keep(GraphEditor graph, EncoderBlocks.Attention block, int[] keptHeads) {
        int d = block.headSize();
        int[] columns = new int[keptHeads.length * d];
        for (int k = 0; k < keptHeads.length; k++) {
            for (int j = 0; j < d; j++) {
                columns[k * d + j] = keptHeads[k] * d + j;
            }
        }
        for (EncoderBlocks.Projection projection : block.projections()) {
            Matrix w = Matrix.of(graph.initializer(projection.weight()).orElseThrow());
            graph.replaceInitializer(w.keepColumns(columns).toTensor());
            projection.bias().ifPresent(name -> {
                TensorProto bias = graph.initializer(name).orElseThrow();
                graph.replaceInitializer(Tensors.ofFloats(name, new long[] {columns.length},
                        Matrix.keepEntries(Tensors.toFloats(bias), columns)));
            });
        }
        Matrix out = Matrix.of(graph.initializer(block.outWeight()).orElseThrow());
        graph.replaceInitializer(out.keepRows(columns).toTensor());
        for (EncoderBlocks.ShapeElement element : block.headCounts()) {
            rewrite(graph, element, keptHeads.length);
        }
        for (EncoderBlocks.ShapeElement element : block.widths()) {
            rewrite(graph, element, (long) keptHeads.length * d);
        }
    }

    /** A fresh int64 constant with one element changed, read by that node input only (the old one may be shared). */
    private static void rewrite(GraphEditor graph, EncoderBlocks.ShapeElement element, long value) {
        String current = graph.node(element.node()).getInput(element.input());
        TensorProto old = graph.constant(current).orElseThrow();
        long[] values = Tensors.toLongs(old);
        values[element.element()] = value;
        TensorProto changed = Tensors.ofLongs(current, Tensors.dims(old), values);
        // Keep the form the exporter used: a Constant node stays a node (not counted as a parameter).
        String name = graph.initializer(current).isPresent()
                ? graph.addInitializer(current + "_pruned", changed)
                : graph.addConstantNode(current + "_pruned", changed);
        graph.redirectInput(element.node(), element.input(), name);
    }
}
