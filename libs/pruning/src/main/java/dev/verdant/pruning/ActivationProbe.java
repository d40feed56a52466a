package dev.verdant.pruning;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Calibration support without a runtime in this module: {@link #instrument} exposes each
 * feed-forward block's activation output (the input of W2) as an extra graph output; the caller
 * runs the instrumented model on calibration texts in any ONNX runtime and feeds the outputs, with
 * the attention mask, to an {@link Accumulator}, which gives the {@link ActivationStatistics} for
 * {@link PruningRequest#withCalibration}.
 */
public final class ActivationProbe {

    /**
     * @param model   the model with the extra outputs
     * @param outputs the extra outputs' names, one per feed-forward block in graph order
     * @param widths  neurons of each block
     */
    public record Instrumented(ModelProto model, List<String> outputs, List<Integer> widths) {
        public Instrumented {
            Objects.requireNonNull(model, "model");
            outputs = List.copyOf(outputs);
            widths = List.copyOf(widths);
        }
    }

    private ActivationProbe() {
    }

    /**
     * @throws IllegalArgumentException when the model has no feed-forward block this module can prune
     */
    public static Instrumented instrument(ModelProto model) {
        GraphEditor graph = new GraphEditor(model.getGraph());
        EncoderBlocks blocks = EncoderBlocks.find(graph);
        if (blocks.feedForwards().isEmpty()) {
            throw new IllegalArgumentException("the model has no feed-forward block to calibrate (a MatMul with a"
                    + " [hidden, ffn] weight, an elementwise activation, then a MatMul with an [ffn, hidden] weight)");
        }
        var out = model.getGraph().toBuilder();
        List<String> names = new ArrayList<>();
        List<Integer> widths = new ArrayList<>();
        for (EncoderBlocks.FeedForward block : blocks.feedForwards()) {
            names.add(block.actOut());
            widths.add(block.ffn());
            if (out.getOutputList().stream().noneMatch(o -> o.getName().equals(block.actOut()))) {
                out.addOutput(ValueInfoProto.newBuilder().setName(block.actOut()).setType(TypeProto.newBuilder()
                        .setTensorType(TypeProto.Tensor.newBuilder().setElemType(DataType.FLOAT_VALUE)
                                .setShape(TensorShapeProto.newBuilder()
                                        .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("batch_size"))
                                        .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("sequence_length"))
                                        .addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(block.ffn()))))));
            }
        }
        return new Instrumented(model.toBuilder().setGraph(out).build(), names, widths);
    }

    /** Sums |activation| per neuron over the tokens the attention mask keeps (padding excluded). */
    public static final class Accumulator {
        private final List<Integer> widths;
        private final double[][] sums;
        private final long[] tokens;

        public Accumulator(List<Integer> widths) {
            this.widths = List.copyOf(widths);
            sums = new double[widths.size()][];
            tokens = new long[widths.size()];
            for (int b = 0; b < widths.size(); b++) {
                sums[b] = new double[widths.get(b)];
            }
        }

        /**
         * @param block       feed-forward block index (graph order)
         * @param activations [batch][sequence][neurons]
         * @param mask        [batch][sequence], 1 for a real token
         */
        public void add(int block, float[][][] activations, long[][] mask) {
            for (int b = 0; b < activations.length; b++) {
                for (int s = 0; s < activations[b].length; s++) {
                    if (mask[b][s] == 0) {
                        continue;
                    }
                    float[] row = activations[b][s];
                    if (row.length != widths.get(block)) {
                        throw new IllegalArgumentException("block " + block + " has " + widths.get(block)
                                + " neurons, the activations " + row.length);
                    }
                    for (int j = 0; j < row.length; j++) {
                        sums[block][j] += Math.abs(row[j]);
                    }
                    tokens[block]++;
                }
            }
        }

        /** @throws IllegalStateException before any token was added */
        public ActivationStatistics result() {
            List<float[]> means = new ArrayList<>();
            for (int b = 0; b < sums.length; b++) {
                if (tokens[b] == 0) {
                    throw new IllegalStateException("no calibration token reached feed-forward block " + b);
                }
                float[] mean = new float[sums[b].length];
                for (int j = 0; j < mean.length; j++) {
                    mean[j] = (float) (sums[b][j] / tokens[b]);
                }
                means.add(mean);
            }
            return new ActivationStatistics(means, tokens[0]);
        }
    }
}
