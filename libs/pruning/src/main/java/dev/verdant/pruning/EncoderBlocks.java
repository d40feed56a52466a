package dev.verdant.pruning;

import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.verdant.onnx.Tensors;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The prunable structure of a BERT-family encoder exported op by op (torch.onnx, MiniLM's file):
 * its feed-forward blocks and its attention blocks, each with the initializers and shape constants
 * a structured rewrite must change together. A block whose parts are shared with other nodes, or
 * whose shape constants cannot be read, is listed in {@link #skipped()} with the reason, not returned.
 *
 * <p>The (graph-wide, read-only) detection of libs/onnx answers "is this an encoder and of what
 * size"; this class answers "which tensors must change together", which that one does not record.
 */
final class EncoderBlocks {

    /** Ops between W1 and W2 that act elementwise (bias, activation, casts). */
    private static final Set<String> ELEMENTWISE = Set.of("Add", "Sub", "Mul", "Div", "Erf", "Tanh", "Sigmoid",
            "Relu", "Pow", "Cast", "Identity", "Gelu", "FastGelu", "BiasGelu", "QuickGelu", "Sqrt");
    private static final Set<String> BETWEEN_SCORES_AND_SOFTMAX = Set.of("Add", "Div", "Mul", "Sub", "Where", "Cast");
    private static final int MAX_FFN_HOPS = 12;

    /**
     * x W1 (+ b1) -> act -> (x W2), W1 [hidden, ffn], W2 [ffn, hidden].
     *
     * @param upNode   index of the W1 MatMul
     * @param w1       W1 initializer
     * @param b1       b1 initializer [ffn], if the graph adds one directly after W1
     * @param downNode index of the W2 MatMul
     * @param w2       W2 initializer
     * @param actOut   the tensor W2 multiplies (the activation's output)
     */
    record FeedForward(int layer, int upNode, String w1, Optional<String> b1, int downNode, String w2, String actOut,
            int hidden, int ffn) {
    }

    /**
     * A shape element to rewrite: element {@code element} of the constant read by input {@code input}
     * of node {@code node}.
     */
    record ShapeElement(int node, int input, int element) {
    }

    /**
     * softmax(Q K^T / s + mask) V, then the output projection.
     *
     * @param projections Q, K, V: each the MatMul weight [hidden, heads x headSize] and its bias
     * @param headCounts  shape elements holding the head count (the split Reshapes' targets)
     * @param widths      shape elements holding heads x headSize (the merge Reshape's target)
     * @param outWeight   the output projection's weight [heads x headSize, hidden]
     */
    record Attention(int layer, List<Projection> projections, List<ShapeElement> headCounts, List<ShapeElement> widths,
            String outWeight, int heads, int headSize) {
    }

    record Projection(String weight, Optional<String> bias) {
    }

    private final List<FeedForward> feedForwards;
    private final List<Attention> attentions;
    private final List<String> skipped;

    private EncoderBlocks(List<FeedForward> feedForwards, List<Attention> attentions, List<String> skipped) {
        this.feedForwards = feedForwards;
        this.attentions = attentions;
        this.skipped = skipped;
    }

    List<FeedForward> feedForwards() {
        return feedForwards;
    }

    List<Attention> attentions() {
        return attentions;
    }

    List<String> skipped() {
        return skipped;
    }

    /** Layer of a node: feed-forward down-projections strictly before it in graph order. */
    int layerOf(int node) {
        int layer = 0;
        for (FeedForward block : feedForwards) {
            if (block.downNode() < node) {
                layer++;
            }
        }
        return layer;
    }

    static EncoderBlocks find(GraphEditor graph) {
        List<String> skipped = new ArrayList<>();
        List<FeedForward> ffns = new ArrayList<>();
        for (int i = 0; i < graph.nodeCount(); i++) {
            NodeProto node = graph.node(i);
            Optional<long[]> dims = weightDims(graph, node);
            // Square weights qualify too: an FFN pruned to the hidden width is [hidden, hidden]. Q, K, V
            // and the attention output never pass the walk (a Reshape or a LayerNorm comes first).
            if (dims.isEmpty()) {
                continue;
            }
            feedForward(graph, i, dims.get(), skipped).ifPresent(block -> ffns.add(
                    new FeedForward(ffns.size(), block.upNode(), block.w1(), block.b1(), block.downNode(), block.w2(),
                            block.actOut(), block.hidden(), block.ffn())));
        }
        EncoderBlocks partial = new EncoderBlocks(List.copyOf(ffns), List.of(), skipped);
        List<Attention> attentions = new ArrayList<>();
        for (int i = 0; i < graph.nodeCount(); i++) {
            if (graph.node(i).getOpType().equals("Softmax")) {
                attention(graph, i, partial.layerOf(i), skipped).ifPresent(attentions::add);
            }
        }
        return new EncoderBlocks(List.copyOf(ffns), List.copyOf(attentions), List.copyOf(skipped));
    }

    /** [in, out] of a MatMul's second input when it is a float initializer. */
    static Optional<long[]> weightDims(GraphEditor graph, NodeProto node) {
        if (!node.getOpType().equals("MatMul") || node.getInputCount() != 2 || !isDefaultDomain(node)) {
            return Optional.empty();
        }
        return graph.initializer(node.getInput(1))
                .filter(t -> t.getDataType() == TensorProto.DataType.FLOAT_VALUE && t.getDimsCount() == 2)
                .map(Tensors::dims);
    }

    static boolean isDefaultDomain(NodeProto node) {
        return node.getDomain().isEmpty() || node.getDomain().equals("ai.onnx");
    }

    private static Optional<FeedForward> feedForward(GraphEditor graph, int up, long[] dims, List<String> skipped) {
        NodeProto upNode = graph.node(up);
        long hidden = dims[0];
        long ffn = dims[1];
        // Walk forward through elementwise ops to a MatMul with a [ffn, hidden] weight.
        Set<String> chain = new HashSet<>(upNode.getOutputList());
        Deque<String> frontier = new ArrayDeque<>(upNode.getOutputList());
        Optional<String> bias = Optional.empty();
        for (int hop = 0; hop < MAX_FFN_HOPS && !frontier.isEmpty(); hop++) {
            Deque<String> next = new ArrayDeque<>();
            for (String value : frontier) {
                for (int consumer : graph.consumers(value)) {
                    NodeProto node = graph.node(consumer);
                    Optional<long[]> down = weightDims(graph, node);
                    if (down.isPresent()) {
                        if (down.get()[0] == ffn && down.get()[1] == hidden && node.getInput(0).equals(value)) {
                            return checked(graph, up, consumer, bias, value, (int) hidden, (int) ffn, skipped);
                        }
                        return Optional.empty();
                    }
                    if (!ELEMENTWISE.contains(node.getOpType()) || node.getOutputCount() != 1) {
                        return Optional.empty();
                    }
                    for (String input : node.getInputList()) {
                        if (chain.contains(input) || input.isEmpty()) {
                            continue;
                        }
                        Optional<TensorProto> constant = graph.constant(input);
                        if (constant.isEmpty() || Tensors.elementCount(constant.get()) == 1) {
                            continue; // another activation of the chain (GELU reads x twice), or a scalar
                        }
                        if (node.getOpType().equals("Add") && value.equals(upNode.getOutput(0)) && bias.isEmpty()
                                && graph.privateVector(input, ffn).isPresent()) {
                            bias = Optional.of(input);
                            continue;
                        }
                        // A per-neuron constant other than the bias: slicing it is not implemented.
                        return Optional.empty();
                    }
                    if (chain.add(node.getOutput(0))) {
                        next.add(node.getOutput(0));
                    }
                }
            }
            frontier = next;
        }
        return Optional.empty();
    }

    private static Optional<FeedForward> checked(GraphEditor graph, int up, int down, Optional<String> bias,
            String actOut, int hidden, int ffn, List<String> skipped) {
        String w1 = graph.node(up).getInput(1);
        String w2 = graph.node(down).getInput(1);
        if (graph.privateMatrix(w1).isEmpty() || graph.privateMatrix(w2).isEmpty()) {
            skipped.add("feed-forward block at " + graph.node(up).getName() + ": its weights are shared with other"
                    + " nodes, so its neurons cannot be removed alone");
            return Optional.empty();
        }
        return Optional.of(new FeedForward(-1, up, w1, bias, down, w2, actOut, hidden, ffn));
    }

    private static Optional<Attention> attention(GraphEditor graph, int softmax, int layer, List<String> skipped) {
        String where = "attention block at " + graph.node(softmax).getName();
        Optional<Integer> scores = scoresMatMul(graph, softmax);
        if (scores.isEmpty()) {
            return Optional.empty();
        }
        Optional<Integer> context = Optional.empty();
        for (int consumer : graph.consumers(graph.node(softmax).getOutput(0))) {
            NodeProto node = graph.node(consumer);
            if (node.getOpType().equals("MatMul") && node.getInput(0).equals(graph.node(softmax).getOutput(0))) {
                context = Optional.of(consumer);
            }
        }
        if (context.isEmpty()) {
            return Optional.empty();
        }
        List<Projection> projections = new ArrayList<>();
        List<ShapeElement> headCounts = new ArrayList<>();
        long[] split = null;
        List<String> paths = List.of(graph.node(scores.get()).getInput(0), graph.node(scores.get()).getInput(1),
                graph.node(context.get()).getInput(1));
        for (String path : paths) {
            Optional<SplitPath> found = splitPath(graph, path);
            if (found.isEmpty()) {
                skipped.add(where + ": Q, K or V is not a MatMul + bias + Reshape into [batch, sequence, heads, size]"
                        + " with a readable head count");
                return Optional.empty();
            }
            if (split == null) {
                split = found.get().split;
            } else if (split[0] != found.get().split[0] || split[1] != found.get().split[1]) {
                skipped.add(where + ": Q, K and V are split into different head counts");
                return Optional.empty();
            }
            projections.add(found.get().projection);
            headCounts.add(found.get().headCount);
        }
        int heads = (int) split[0];
        int headSize = (int) split[1];
        // context [b, h, s, d] -> Transpose -> Reshape [b, s, h d] -> MatMul W_o [h d, hidden]
        Optional<OutputPath> out = outputPath(graph, graph.node(context.get()).getOutput(0), (long) heads * headSize);
        if (out.isEmpty()) {
            skipped.add(where + ": the heads are not merged by a Reshape with a readable width into an output MatMul");
            return Optional.empty();
        }
        return Optional.of(new Attention(layer, projections, headCounts, out.get().widths, out.get().weight, heads, headSize));
    }

    private static Optional<Integer> scoresMatMul(GraphEditor graph, int softmax) {
        String current = graph.node(softmax).getInput(0);
        for (int hop = 0; hop < 5; hop++) {
            Optional<Integer> producer = graph.producer(current);
            if (producer.isEmpty()) {
                return Optional.empty();
            }
            NodeProto node = graph.node(producer.get());
            if (node.getOpType().equals("MatMul")) {
                return graph.isConstant(node.getInput(1)) ? Optional.empty() : producer;
            }
            if (!BETWEEN_SCORES_AND_SOFTMAX.contains(node.getOpType()) || node.getInputCount() == 0) {
                return Optional.empty();
            }
            current = node.getInputList().stream().filter(input -> !input.isEmpty() && !graph.isConstant(input))
                    .findFirst().orElse(node.getInput(0));
        }
        return Optional.empty();
    }

    private record SplitPath(Projection projection, ShapeElement headCount, long[] split) {
    }

    /** Back from Q/K/V as the scores see it: Transpose / scalar Mul or Div, the split Reshape, bias Add, MatMul. */
    private static Optional<SplitPath> splitPath(GraphEditor graph, String tensor) {
        String current = tensor;
        for (int hop = 0; hop < 4; hop++) {
            Optional<Integer> producer = graph.producer(current);
            if (producer.isEmpty()) {
                return Optional.empty();
            }
            NodeProto node = graph.node(producer.get());
            switch (node.getOpType()) {
                case "Transpose", "Identity", "Cast" -> current = node.getInput(0);
                case "Mul", "Div" -> {
                    Optional<String> other = scalarOperand(graph, node);
                    if (other.isEmpty()) {
                        return Optional.empty();
                    }
                    current = node.getInput(0).equals(other.get()) ? node.getInput(1) : node.getInput(0);
                }
                case "Reshape" -> {
                    Optional<ShapeElement> heads = shapeElement(graph, producer.get(), 2, 4);
                    Optional<ShapeElement> size = shapeElement(graph, producer.get(), 3, 4);
                    if (heads.isEmpty() || size.isEmpty()) {
                        return Optional.empty();
                    }
                    long[] split = {read(graph, heads.get()), read(graph, size.get())};
                    Optional<Projection> projection = projection(graph, node.getInput(0), split[0] * split[1]);
                    return projection.map(p -> new SplitPath(p, heads.get(), split));
                }
                default -> {
                    return Optional.empty();
                }
            }
        }
        return Optional.empty();
    }

    /** The MatMul (+ bias Add, in either operand order) producing {@code tensor}, out = width. */
    private static Optional<Projection> projection(GraphEditor graph, String tensor, long width) {
        Optional<Integer> producer = graph.producer(tensor);
        if (producer.isEmpty()) {
            return Optional.empty();
        }
        NodeProto node = graph.node(producer.get());
        Optional<String> bias = Optional.empty();
        if (node.getOpType().equals("Add") && node.getInputCount() == 2) {
            int biasIndex = graph.isConstant(node.getInput(0)) ? 0 : 1;
            String b = node.getInput(biasIndex);
            if (graph.privateVector(b, width).isEmpty()) {
                return Optional.empty();
            }
            bias = Optional.of(b);
            producer = graph.producer(node.getInput(1 - biasIndex));
            if (producer.isEmpty()) {
                return Optional.empty();
            }
            node = graph.node(producer.get());
        }
        Optional<long[]> dims = weightDims(graph, node);
        if (dims.isEmpty() || dims.get()[1] != width || graph.privateMatrix(node.getInput(1)).isEmpty()
                || graph.consumers(node.getOutput(0)).size() != 1) {
            return Optional.empty();
        }
        return Optional.of(new Projection(node.getInput(1), bias));
    }

    private record OutputPath(String weight, List<ShapeElement> widths) {
    }

    private static Optional<OutputPath> outputPath(GraphEditor graph, String context, long width) {
        String current = context;
        List<ShapeElement> widths = new ArrayList<>();
        for (int hop = 0; hop < 4; hop++) {
            // Shape nodes read the context too (torch's dynamic reshape): follow the one that is not Shape.
            List<Integer> next = graph.consumers(current).stream()
                    .filter(i -> !graph.node(i).getOpType().equals("Shape")).toList();
            if (next.size() != 1) {
                return Optional.empty();
            }
            Optional<Integer> main = Optional.of(next.get(0));
            NodeProto node = graph.node(main.get());
            switch (node.getOpType()) {
                case "Transpose", "Identity", "Cast" -> current = node.getOutput(0);
                case "Reshape" -> {
                    Optional<ShapeElement> element = shapeElement(graph, main.get(), 2, 3);
                    if (element.isEmpty()) {
                        return Optional.empty();
                    }
                    long value = read(graph, element.get());
                    if (value == width) {
                        widths.add(element.get());
                    } else if (value != -1) {
                        return Optional.empty();
                    }
                    current = node.getOutput(0);
                }
                case "MatMul" -> {
                    Optional<long[]> dims = weightDims(graph, node);
                    if (dims.isEmpty() || dims.get()[0] != width || !node.getInput(0).equals(current)
                            || graph.privateMatrix(node.getInput(1)).isEmpty()) {
                        return Optional.empty();
                    }
                    return Optional.of(new OutputPath(node.getInput(1), widths));
                }
                default -> {
                    return Optional.empty();
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Where element {@code element} of a Reshape's {@code rank}-long target lives: the target itself
     * when constant, else the Concat piece (torch: Concat of Unsqueeze(dynamic) and constants) holding it.
     */
    private static Optional<ShapeElement> shapeElement(GraphEditor graph, int reshape, int element, int rank) {
        NodeProto node = graph.node(reshape);
        if (node.getInputCount() != 2) {
            return Optional.empty();
        }
        String target = node.getInput(1);
        Optional<long[]> constant = graph.smallLongs(target);
        if (constant.isPresent()) {
            return constant.get().length == rank ? Optional.of(new ShapeElement(reshape, 1, element)) : Optional.empty();
        }
        Optional<Integer> concat = graph.producer(target).filter(i -> graph.node(i).getOpType().equals("Concat"));
        if (concat.isEmpty()) {
            return Optional.empty();
        }
        NodeProto pieces = graph.node(concat.get());
        int position = 0;
        for (int input = 0; input < pieces.getInputCount(); input++) {
            Optional<long[]> piece = graph.smallLongs(pieces.getInput(input));
            int length = piece.map(values -> values.length).orElse(1);
            if (position <= element && element < position + length) {
                return piece.isPresent()
                        ? Optional.of(new ShapeElement(concat.get(), input, element - position))
                        : Optional.empty();
            }
            position += length;
        }
        return Optional.empty();
    }

    static long read(GraphEditor graph, ShapeElement element) {
        String name = graph.node(element.node()).getInput(element.input());
        return graph.smallLongs(name).orElseThrow()[element.element()];
    }

    private static Optional<String> scalarOperand(GraphEditor graph, NodeProto node) {
        for (String input : node.getInputList()) {
            Optional<TensorProto> constant = graph.constant(input);
            if (constant.isPresent() && Tensors.elementCount(constant.get()) == 1) {
                return Optional.of(input);
            }
        }
        return Optional.empty();
    }
}
