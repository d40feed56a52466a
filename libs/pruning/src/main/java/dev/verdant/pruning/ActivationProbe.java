package dev.verdant.pruning;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Calibration without a runtime: {@link #instrument} exposes, as extra graph outputs, the activation
 * input of every MatMul with a 2-D float weight (Q, K, V and the attention output projection read
 * theirs, each feed-forward block's W2 reads the activation output); a runtime runs the instrumented
 * model on calibration texts and feeds the outputs, with the attention mask, to an
 * {@link Accumulator}, which gives the {@link ActivationStatistics} for
 * {@link PruningRequest#withCalibration}. {@link ActivationCalibrator} does that in ONNX Runtime.
 */
public final class ActivationProbe {

    /**
     * @param model   the model with the extra outputs
     * @param outputs the probed tensors' names, in graph order, each once
     * @param widths  features of each (the last axis: the weight's row count)
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
     * @throws IllegalArgumentException when the model has no MatMul with a 2-D float weight (nothing
     *                                  a calibrated criterion could use)
     */
    public static Instrumented instrument(ModelProto model) {
        GraphEditor graph = new GraphEditor(model.getGraph());
        Map<String, Integer> probed = new LinkedHashMap<>();
        for (int i = 0; i < graph.nodeCount(); i++) {
            NodeProto node = graph.node(i);
            EncoderBlocks.weightDims(graph, node).ifPresent(dims -> {
                String input = node.getInput(0);
                if (!graph.isConstant(input)) {
                    probed.putIfAbsent(input, (int) dims[0]);
                }
            });
        }
        if (probed.isEmpty()) {
            throw new IllegalArgumentException("the model has no MatMul with a 2-D float weight, so there is nothing to"
                    + " calibrate (and nothing ffn, heads or unstructured pruning could use)");
        }
        var out = model.getGraph().toBuilder();
        java.util.Set<String> inputs = new java.util.HashSet<>();
        model.getGraph().getInputList().forEach(input -> inputs.add(input.getName()));
        for (String name : probed.keySet()) {
            if (inputs.contains(name) || out.getOutputList().stream().anyMatch(o -> o.getName().equals(name))) {
                continue; // fed or already returned: ONNX Runtime gives graph outputs as they are
            }
            out.addOutput(ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
                    .setTensorType(TypeProto.Tensor.newBuilder().setElemType(DataType.FLOAT_VALUE))));
        }
        return new Instrumented(model.toBuilder().setGraph(out).build(), new ArrayList<>(probed.keySet()),
                new ArrayList<>(probed.values()));
    }

    /** Sums |x| and x^2 per feature over the tokens the attention mask keeps (padding excluded). */
    public static final class Accumulator {
        private final List<String> names;
        private final List<Integer> widths;
        private final double[][] sumAbs;
        private final double[][] sumSquares;
        private final long[] tokens;

        public Accumulator(Instrumented probe) {
            this(probe.outputs(), probe.widths());
        }

        public Accumulator(List<String> names, List<Integer> widths) {
            if (names.size() != widths.size()) {
                throw new IllegalArgumentException(names.size() + " tensor names for " + widths.size() + " widths");
            }
            this.names = List.copyOf(names);
            this.widths = List.copyOf(widths);
            sumAbs = new double[widths.size()][];
            sumSquares = new double[widths.size()][];
            tokens = new long[widths.size()];
            for (int t = 0; t < widths.size(); t++) {
                sumAbs[t] = new double[widths.get(t)];
                sumSquares[t] = new double[widths.get(t)];
            }
        }

        /**
         * @param tensor index of the probed tensor
         * @param values its values, row-major, the last axis the features: [batch, sequence, width] or
         *               [batch x sequence, width]
         * @param mask   the attention mask flattened to [batch x sequence], 1 for a real token
         * @throws IllegalArgumentException when the values do not hold one row of width features per mask entry
         */
        public void add(int tensor, float[] values, long[] mask) {
            int width = widths.get(tensor);
            if (values.length != (long) mask.length * width) {
                throw new IllegalArgumentException("tensor " + names.get(tensor) + " holds " + values.length
                        + " values, expected " + mask.length + " tokens x " + width + " features");
            }
            double[] abs = sumAbs[tensor];
            double[] squares = sumSquares[tensor];
            for (int row = 0; row < mask.length; row++) {
                if (mask[row] == 0) {
                    continue;
                }
                int offset = row * width;
                for (int j = 0; j < width; j++) {
                    double v = values[offset + j];
                    abs[j] += Math.abs(v);
                    squares[j] += v * v;
                }
                tokens[tensor]++;
            }
        }

        /** @throws IllegalStateException when a tensor saw no token */
        public ActivationStatistics result(String source) {
            Map<String, float[]> meanAbs = new LinkedHashMap<>();
            Map<String, float[]> rms = new LinkedHashMap<>();
            for (int t = 0; t < names.size(); t++) {
                if (tokens[t] == 0) {
                    throw new IllegalStateException("no calibration token reached tensor " + names.get(t));
                }
                float[] mean = new float[widths.get(t)];
                float[] root = new float[widths.get(t)];
                for (int j = 0; j < mean.length; j++) {
                    mean[j] = (float) (sumAbs[t][j] / tokens[t]);
                    root[j] = (float) Math.sqrt(sumSquares[t][j] / tokens[t]);
                }
                meanAbs.put(names.get(t), mean);
                rms.put(names.get(t), root);
            }
            return new ActivationStatistics(meanAbs, rms, tokens[0], source);
        }
    }
}
