package dev.verdant.onnx;

import ai.onnx.proto.OnnxMl.NodeProto;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The position-wise feed-forward networks, {@code FFN(x) = act(x W1 + b1) W2 + b2} with W1 of
 * shape {@code [hidden, ffn]} and W2 of shape {@code [ffn, hidden]}.
 *
 * <p>A pair is an up-projection from the hidden width followed, within a few nodes downstream
 * (bias, activation, and in quantized graphs Cast, scale Mul and DynamicQuantizeLinear), by a
 * down-projection back to it whose input width equals the up-projection's output width. The
 * nodes in between tell the activation: exact GELU shows as Erf (x * 0.5 * (1 + erf(x / sqrt 2))).
 *
 * @param pairs inner width, activation and weight type of each pair, in graph order
 */
record FeedForwardPairs(List<Pair> pairs) {

    /** Up to here the walk from W1 to W2 is an activation, not the next layer. */
    private static final int MAX_HOPS = 12;

    record Pair(long ffnSize, Activation activation, int weightElementType) {
    }

    static FeedForwardPairs find(GraphIndex index, long hidden) {
        Map<NodeProto, LinearLayer> linears = new IdentityHashMap<>();
        for (NodeProto node : index.graph().getNodeList()) {
            LinearLayer.of(index, node).ifPresent(linear -> linears.put(node, linear));
        }
        List<Pair> pairs = new ArrayList<>();
        for (NodeProto node : index.graph().getNodeList()) {
            LinearLayer up = linears.get(node);
            if (up == null || up.in() != hidden || up.out() == hidden) {
                continue;
            }
            Set<String> between = new HashSet<>();
            if (reachesDown(index, linears, up, hidden, between)) {
                pairs.add(new Pair(up.out(), activation(between), up.elementType()));
            }
        }
        return new FeedForwardPairs(List.copyOf(pairs));
    }

    /** Breadth-first from W1's output; stops at any other linear layer. Collects op types passed. */
    private static boolean reachesDown(GraphIndex index, Map<NodeProto, LinearLayer> linears, LinearLayer up,
                                       long hidden, Set<String> between) {
        Deque<String> frontier = new ArrayDeque<>(up.node().getOutputList());
        Set<String> seen = new HashSet<>();
        for (int hop = 0; hop < MAX_HOPS && !frontier.isEmpty(); hop++) {
            Deque<String> next = new ArrayDeque<>();
            for (String value : frontier) {
                if (!seen.add(value)) {
                    continue;
                }
                for (NodeProto consumer : index.consumers(value)) {
                    LinearLayer linear = linears.get(consumer);
                    if (linear != null) {
                        if (linear.in() == up.out() && linear.out() == hidden) {
                            return true;
                        }
                        continue;
                    }
                    between.add(consumer.getOpType());
                    next.addAll(consumer.getOutputList());
                }
            }
            frontier = next;
        }
        return false;
    }

    private static Activation activation(Set<String> ops) {
        if (ops.contains("Erf") || ops.contains("Gelu") || ops.contains("BiasGelu")) {
            return Activation.GELU;
        }
        if (ops.contains("FastGelu") || ops.contains("Tanh")) {
            return Activation.GELU_TANH;
        }
        if (ops.contains("Relu")) {
            return Activation.RELU;
        }
        if (ops.contains("Sigmoid") || ops.contains("QuickGelu")) {
            return Activation.SILU;
        }
        return Activation.UNKNOWN;
    }

    int count() {
        return pairs.size();
    }

    Optional<Pair> first() {
        return pairs.stream().findFirst();
    }
}
