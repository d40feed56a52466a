package dev.verdant.onnx;

import ai.onnx.proto.OnnxMl.NodeProto;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * Scaled dot-product attention blocks, {@code softmax(Q K^T / sqrt(d) + mask) V}.
 *
 * <p>A block is a Softmax whose input comes (through the scale and the mask Add) from a MatMul of
 * two activations (the scores Q K^T) and whose output is multiplied by another activation (V).
 * Weight MatMuls never qualify: one of their inputs is stored. ONNX Runtime's fused attention ops
 * (com.microsoft Attention, MultiHeadAttention, QAttention) count as one block each and carry
 * num_heads as an attribute.
 *
 * <p>The head count is read from the Reshape that splits Q, K or V into heads: its target shape is
 * {@code [batch, sequence, heads, headSize]}, a constant or (as torch exports it) a Concat of the
 * dynamic batch and sequence sizes with the constants heads and headSize. When no such Reshape is
 * readable, the score scale gives the head size: a Div by c means headSize = c^2, a Mul by c
 * means headSize = 1 / c^2.
 *
 * @param blocks    attention blocks found
 * @param heads     head count of each block that revealed it
 * @param headSizes head size of each block that revealed it
 */
record AttentionBlocks(int blocks, List<Long> heads, List<Long> headSizes) {

    private static final Set<String> BETWEEN_SCORES_AND_SOFTMAX = Set.of("Add", "Div", "Mul", "Sub", "Where", "Cast");
    private static final Set<String> BETWEEN_SOFTMAX_AND_CONTEXT = Set.of("Cast", "Dropout", "Identity");
    private static final Set<String> BETWEEN_SPLIT_AND_SCORES = Set.of("Transpose", "Mul", "Div", "Cast", "Identity");
    private static final Set<String> FUSED = Set.of("Attention", "MultiHeadAttention", "QAttention");

    static AttentionBlocks find(GraphIndex index) {
        int blocks = 0;
        List<Long> heads = new ArrayList<>();
        List<Long> headSizes = new ArrayList<>();
        for (NodeProto node : index.graph().getNodeList()) {
            if (FUSED.contains(node.getOpType())) {
                blocks++;
                GraphIndex.intAttribute(node, "num_heads").filter(value -> value > 0).ifPresent(heads::add);
                continue;
            }
            if (!node.getOpType().equals("Softmax") || node.getInputCount() < 1 || node.getOutputCount() < 1) {
                continue;
            }
            Optional<NodeProto> scores = scoresMatMul(index, node);
            if (scores.isEmpty() || !feedsContext(index, node)) {
                continue;
            }
            blocks++;
            Optional<long[]> split = headSplit(index, scores.get());
            if (split.isPresent()) {
                heads.add(split.get()[0]);
                headSizes.add(split.get()[1]);
            } else {
                headSizeFromScale(index, scores.get(), node).ifPresent(headSizes::add);
            }
        }
        return new AttentionBlocks(blocks, List.copyOf(heads), List.copyOf(headSizes));
    }

    /** Q K^T: the MatMul of two activations at most 4 elementwise steps before the Softmax. */
    private static Optional<NodeProto> scoresMatMul(GraphIndex index, NodeProto softmax) {
        String current = softmax.getInput(0);
        for (int hop = 0; hop < 5; hop++) {
            Optional<NodeProto> producer = index.producer(current);
            if (producer.isEmpty()) {
                return Optional.empty();
            }
            NodeProto node = producer.get();
            if (node.getOpType().equals("MatMul")) {
                return isActivationProduct(index, node) ? Optional.of(node) : Optional.empty();
            }
            if (!BETWEEN_SCORES_AND_SOFTMAX.contains(node.getOpType()) || node.getInputCount() == 0) {
                return Optional.empty();
            }
            // Follow the non-constant operand (the mask Add has two activations: the scores come
            // first in every exporter we know, so prefer input 0 when both are activations).
            current = node.getInputList().stream()
                    .filter(input -> !input.isEmpty() && !index.isConstant(input))
                    .findFirst()
                    .orElse(node.getInput(0));
        }
        return Optional.empty();
    }

    /** softmax(...) V: a MatMul of two activations consumes the probabilities. */
    private static boolean feedsContext(GraphIndex index, NodeProto softmax) {
        Deque<String> frontier = new ArrayDeque<>(List.of(softmax.getOutput(0)));
        for (int hop = 0; hop < 3 && !frontier.isEmpty(); hop++) {
            Deque<String> next = new ArrayDeque<>();
            for (String value : frontier) {
                for (NodeProto consumer : index.consumers(value)) {
                    if (consumer.getOpType().equals("MatMul") && isActivationProduct(index, consumer)) {
                        return true;
                    }
                    if (BETWEEN_SOFTMAX_AND_CONTEXT.contains(consumer.getOpType()) && consumer.getOutputCount() > 0) {
                        next.add(consumer.getOutput(0));
                    }
                }
            }
            frontier = next;
        }
        return false;
    }

    private static boolean isActivationProduct(GraphIndex index, NodeProto matMul) {
        return matMul.getInputCount() == 2
                && !index.isConstant(matMul.getInput(0)) && index.weight(matMul.getInput(0)).isEmpty()
                && !index.isConstant(matMul.getInput(1)) && index.weight(matMul.getInput(1)).isEmpty();
    }

    /** [heads, headSize] from the Reshape feeding Q or K into the scores, if its target is readable. */
    private static Optional<long[]> headSplit(GraphIndex index, NodeProto scores) {
        Deque<String> frontier = new ArrayDeque<>(scores.getInputList());
        Set<String> seen = new HashSet<>();
        for (int hop = 0; hop < 4 && !frontier.isEmpty(); hop++) {
            Deque<String> next = new ArrayDeque<>();
            for (String value : frontier) {
                if (!seen.add(value)) {
                    continue;
                }
                Optional<NodeProto> producer = index.producer(value);
                if (producer.isEmpty()) {
                    continue;
                }
                NodeProto node = producer.get();
                if (node.getOpType().equals("Reshape") && node.getInputCount() == 2) {
                    Optional<long[]> split = targetShape(index, node.getInput(1))
                            .filter(shape -> shape.length == 4 && shape[2] > 0 && shape[3] > 0)
                            .map(shape -> new long[] {shape[2], shape[3]});
                    if (split.isPresent()) {
                        return split;
                    }
                } else if (BETWEEN_SPLIT_AND_SCORES.contains(node.getOpType())) {
                    node.getInputList().stream().filter(input -> !index.isConstant(input)).forEach(next::add);
                }
            }
            frontier = next;
        }
        return Optional.empty();
    }

    /**
     * A Reshape's target: a constant vector, or a Concat (axis 0) of one-element pieces where the
     * dynamic pieces (batch and sequence from Shape/Gather/Unsqueeze) read as -1.
     */
    private static Optional<long[]> targetShape(GraphIndex index, String shape) {
        Optional<long[]> constant = index.smallLongs(shape);
        if (constant.isPresent()) {
            return constant;
        }
        Optional<NodeProto> concat = index.producer(shape).filter(node -> node.getOpType().equals("Concat"));
        if (concat.isEmpty() || concat.get().getInputCount() > 8) {
            return Optional.empty();
        }
        List<Long> pieces = new ArrayList<>();
        for (String piece : concat.get().getInputList()) {
            Optional<long[]> value = index.smallLongs(piece);
            if (value.isPresent()) {
                for (long element : value.get()) {
                    pieces.add(element);
                }
            } else {
                pieces.add(-1L);
            }
        }
        return Optional.of(pieces.stream().mapToLong(Long::longValue).toArray());
    }

    /** headSize = c^2 for scores / c, 1 / c^2 for scores * c, if that is a whole number. */
    private static Optional<Long> headSizeFromScale(GraphIndex index, NodeProto scores, NodeProto softmax) {
        String current = scores.getOutput(0);
        for (int hop = 0; hop < 4; hop++) {
            List<NodeProto> next = index.consumers(current);
            if (next.size() != 1) {
                return Optional.empty();
            }
            NodeProto node = next.get(0);
            if (node == softmax || node.getInputCount() != 2 || node.getOutputCount() == 0) {
                return Optional.empty();
            }
            String other = node.getInput(0).equals(current) ? node.getInput(1) : node.getInput(0);
            OptionalDouble scale = index.scalarFloat(other);
            if (scale.isPresent() && scale.getAsDouble() > 0 && (node.getOpType().equals("Div") || node.getOpType().equals("Mul"))) {
                double c = scale.getAsDouble();
                double size = node.getOpType().equals("Div") ? c * c : 1 / (c * c);
                long rounded = Math.round(size);
                return rounded > 0 && Math.abs(size - rounded) < 1e-3 * rounded ? Optional.of(rounded) : Optional.empty();
            }
            current = node.getOutput(0);
        }
        return Optional.empty();
    }
}
