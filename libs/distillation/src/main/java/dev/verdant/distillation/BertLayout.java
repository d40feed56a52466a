package dev.verdant.distillation;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Where a post-LayerNorm BERT encoder keeps its weights in an ONNX graph, found from the graph's
 * structure (not from tensor names, which exporters rename, e.g. torch's {@code onnx::MatMul_1587}):
 * <ul>
 *   <li>embeddings: the Gather tables (word from the token-id input, token type from the other fed
 *       input, position from computed indices), then one LayerNorm;</li>
 *   <li>per layer, in graph order, six linear layers {@code y = x W + b} (W stored {@code [in, out]}):
 *       three reading the same input (Q, K, V: K and Q meet at the scores MatMul as its second and
 *       first operand, V at the context MatMul), the attention output, FFN up, FFN down; and two
 *       LayerNorms (after attention, after the FFN), decomposed (ReduceMean, Sub, Pow, ..., Mul
 *       gamma, Add beta) or fused (LayerNormalization).</li>
 * </ul>
 * A layer's output is its second LayerNorm's output; the embeddings' output is the first
 * LayerNorm's. Those boundary tensors are what the exporter rewires when it drops layers.
 */
final class BertLayout {

    /** A linear layer: the MatMul, its weight initializer ({@code [in, out]}) and bias initializer. */
    record Linear(NodeProto matMul, String weight, String bias, int in, int out, String output) {
    }

    /** A layer normalization: gamma, beta initializers, the tensor it reads and the one it writes. */
    record Norm(String gamma, String beta, String input, String output) {
    }

    record Layer(Linear query, Linear key, Linear value, Linear attentionOutput, Norm attentionNorm,
                 Linear up, Linear down, Norm outputNorm) {
    }

    final ModelProto model;
    final Map<String, TensorProto> initializers;
    final String wordTable;
    final String positionTable;
    final String typeTable;
    final String idsInput;
    final String maskInput;
    final String typesInput;
    final Norm embeddingNorm;
    final List<Layer> layers;
    final int hidden;
    final float layerNormEpsilon;

    private BertLayout(ModelProto model, Map<String, TensorProto> initializers, String wordTable, String positionTable,
                       String typeTable, String idsInput, String maskInput, String typesInput, Norm embeddingNorm,
                       List<Layer> layers, int hidden, float epsilon) {
        this.model = model;
        this.initializers = initializers;
        this.wordTable = wordTable;
        this.positionTable = positionTable;
        this.typeTable = typeTable;
        this.idsInput = idsInput;
        this.maskInput = maskInput;
        this.typesInput = typesInput;
        this.embeddingNorm = embeddingNorm;
        this.layers = layers;
        this.hidden = hidden;
        this.layerNormEpsilon = epsilon;
    }

    /** The boundary tensor after layer {@code index} (-1: after the embeddings). */
    String layerOutput(int index) {
        return index < 0 ? embeddingNorm.output() : layers.get(index).outputNorm().output();
    }

    /**
     * @throws UnsupportedModelException naming what the graph lacks
     */
    static BertLayout of(ModelProto model) {
        GraphProto graph = model.getGraph();
        Map<String, TensorProto> initializers = new LinkedHashMap<>();
        for (TensorProto tensor : graph.getInitializerList()) {
            initializers.put(tensor.getName(), tensor);
        }
        Set<String> graphInputs = new HashSet<>();
        for (ValueInfoProto input : graph.getInputList()) {
            if (!initializers.containsKey(input.getName())) {
                graphInputs.add(input.getName());
            }
        }
        Map<String, List<NodeProto>> consumers = new HashMap<>();
        Map<String, NodeProto> producers = new HashMap<>();
        for (NodeProto node : graph.getNodeList()) {
            for (String input : node.getInputList()) {
                consumers.computeIfAbsent(input, k -> new ArrayList<>()).add(node);
            }
            for (String output : node.getOutputList()) {
                producers.put(output, node);
            }
        }

        // Embedding tables.
        String word = null;
        String type = null;
        String position = null;
        String ids = null;
        String types = null;
        long wordRows = -1;
        List<String[]> others = new ArrayList<>();
        for (NodeProto node : graph.getNodeList()) {
            if (!node.getOpType().equals("Gather") || node.getInputCount() < 2) {
                continue;
            }
            TensorProto table = initializers.get(node.getInput(0));
            if (table == null || table.getDimsCount() != 2 || table.getDataType() != TensorProto.DataType.FLOAT_VALUE) {
                continue;
            }
            String indices = node.getInput(1);
            boolean fed = graphInputs.contains(indices);
            if (fed && table.getDims(0) > wordRows) {
                if (word != null) {
                    others.add(new String[] {word, ids});
                }
                word = table.getName();
                ids = indices;
                wordRows = table.getDims(0);
            } else {
                others.add(new String[] {table.getName(), fed ? indices : null});
            }
        }
        if (word == null) {
            throw new UnsupportedModelException("no word-embedding table: expected a Gather over a stored float"
                    + " [vocabulary, hidden] table indexed by the token-id input");
        }
        for (String[] other : others) {
            if (other[1] != null && type == null) {
                type = other[0];
                types = other[1];
            } else if (other[1] == null && position == null) {
                position = other[0];
            }
        }
        if (position == null) {
            throw new UnsupportedModelException("no learned position table (a Gather over a stored [positions, hidden]"
                    + " table with computed indices): only BERT-style encoders can be distilled");
        }
        int hidden = (int) initializers.get(word).getDims(1);
        String mask = null;
        for (String input : graphInputs) {
            if (!input.equals(ids) && !input.equals(types)) {
                mask = input;
            }
        }
        if (mask == null) {
            throw new UnsupportedModelException("no attention-mask input beside the token ids");
        }

        List<Norm> norms = findNorms(graph, initializers, consumers, producers);
        List<Linear> linears = findLinears(graph, initializers, consumers);
        if (norms.isEmpty() || (norms.size() - 1) % 2 != 0) {
            throw new UnsupportedModelException("expected 1 + 2 x layers layer normalizations (BERT's post-LN layout),"
                    + " found " + norms.size());
        }
        int layerCount = (norms.size() - 1) / 2;
        if (layerCount == 0 || linears.size() < 6 * layerCount) {
            throw new UnsupportedModelException("expected 6 linear layers (Q, K, V, attention output, FFN up, FFN down)"
                    + " for each of " + layerCount + " layers, found " + linears.size());
        }
        List<Layer> layers = new ArrayList<>();
        for (int layer = 0; layer < layerCount; layer++) {
            List<Linear> group = linears.subList(6 * layer, 6 * layer + 6);
            Linear[] qkv = attentionRoles(group.subList(0, 3), consumers, initializers, layer);
            Linear out = group.get(3);
            Linear up = group.get(4);
            Linear down = group.get(5);
            if (out.in() != hidden || out.out() != hidden || up.in() != hidden || down.out() != hidden
                    || down.in() != up.out()) {
                throw new UnsupportedModelException("layer " + layer + ": the linear layers after Q, K and V are not"
                        + " [hidden, hidden], [hidden, ffn], [ffn, hidden] as in BERT");
            }
            layers.add(new Layer(qkv[0], qkv[1], qkv[2], out, norms.get(1 + 2 * layer), up, down, norms.get(2 + 2 * layer)));
        }
        float epsilon = epsilonOf(graph, initializers, consumers, norms.get(0));
        return new BertLayout(model, initializers, word, position, type, ids, mask, types, norms.get(0),
                List.copyOf(layers), hidden, epsilon);
    }

    float[] floats(String initializer) {
        return dev.verdant.onnx.Tensors.toFloats(initializers.get(initializer));
    }

    long[] dims(String initializer) {
        return dev.verdant.onnx.Tensors.dims(initializers.get(initializer));
    }

    private static List<Linear> findLinears(GraphProto graph, Map<String, TensorProto> initializers,
                                            Map<String, List<NodeProto>> consumers) {
        List<Linear> linears = new ArrayList<>();
        for (NodeProto node : graph.getNodeList()) {
            if (!node.getOpType().equals("MatMul") || node.getInputCount() != 2) {
                continue;
            }
            TensorProto weight = initializers.get(node.getInput(1));
            if (weight == null || weight.getDimsCount() != 2) {
                continue;
            }
            int out = (int) weight.getDims(1);
            String bias = null;
            String output = node.getOutput(0);
            List<NodeProto> next = consumers.getOrDefault(output, List.of());
            if (next.size() == 1 && next.get(0).getOpType().equals("Add")) {
                NodeProto add = next.get(0);
                String other = add.getInput(0).equals(output) ? add.getInput(1) : add.getInput(0);
                TensorProto b = initializers.get(other);
                if (b != null && b.getDimsCount() == 1 && b.getDims(0) == out) {
                    bias = other;
                    output = add.getOutput(0);
                }
            }
            if (bias == null) {
                throw new UnsupportedModelException("the MatMul '" + node.getName() + "' has no bias Add: BERT's linear"
                        + " layers all have a bias");
            }
            linears.add(new Linear(node, weight.getName(), bias, (int) weight.getDims(0), out, output));
        }
        return linears;
    }

    /** Orders three linears sharing one input as Q, K, V by where their outputs meet. */
    private static Linear[] attentionRoles(List<Linear> three, Map<String, List<NodeProto>> consumers,
                                           Map<String, TensorProto> initializers, int layer) {
        String input = three.get(0).matMul().getInput(0);
        for (Linear linear : three) {
            if (!linear.matMul().getInput(0).equals(input)) {
                throw new UnsupportedModelException("layer " + layer + ": Q, K and V do not read the same input");
            }
        }
        NodeProto[] meets = new NodeProto[3];
        int[] slots = new int[3];
        for (int i = 0; i < 3; i++) {
            Object[] found = activationMatMul(three.get(i).output(), consumers, initializers);
            if (found == null) {
                throw new UnsupportedModelException("layer " + layer + ": cannot follow '" + three.get(i).matMul().getName()
                        + "' to the attention MatMuls");
            }
            meets[i] = (NodeProto) found[0];
            slots[i] = (int) found[1];
        }
        Linear q = null;
        Linear k = null;
        Linear v = null;
        for (int i = 0; i < 3; i++) {
            int shared = 0;
            for (int j = 0; j < 3; j++) {
                if (j != i && meets[j] == meets[i]) {
                    shared++;
                }
            }
            if (shared == 0) {
                v = three.get(i);
            } else if (slots[i] == 0) {
                q = three.get(i);
            } else {
                k = three.get(i);
            }
        }
        if (q == null || k == null || v == null) {
            throw new UnsupportedModelException("layer " + layer + ": cannot tell Q, K and V apart");
        }
        return new Linear[] {q, k, v};
    }

    /** The first MatMul of two activations downstream (through head reshaping), and which operand. */
    private static Object[] activationMatMul(String start, Map<String, List<NodeProto>> consumers,
                                             Map<String, TensorProto> initializers) {
        Deque<String> frontier = new ArrayDeque<>(List.of(start));
        Set<String> seen = new HashSet<>();
        for (int hop = 0; hop < 8 && !frontier.isEmpty(); hop++) {
            Deque<String> next = new ArrayDeque<>();
            for (String value : frontier) {
                if (!seen.add(value)) {
                    continue;
                }
                for (NodeProto consumer : consumers.getOrDefault(value, List.of())) {
                    String op = consumer.getOpType();
                    if (op.equals("MatMul") && !initializers.containsKey(consumer.getInput(1))) {
                        return new Object[] {consumer, consumer.getInput(0).equals(value) ? 0 : 1};
                    }
                    boolean dataPath = switch (op) {
                        case "Reshape" -> consumer.getInput(0).equals(value);
                        case "Transpose", "Mul", "Div", "Cast", "Identity", "Add" -> true;
                        default -> false;
                    };
                    if (dataPath) {
                        next.addAll(consumer.getOutputList());
                    }
                }
            }
            frontier = next;
        }
        return null;
    }

    private static List<Norm> findNorms(GraphProto graph, Map<String, TensorProto> initializers,
                                        Map<String, List<NodeProto>> consumers, Map<String, NodeProto> producers) {
        List<Norm> norms = new ArrayList<>();
        for (NodeProto node : graph.getNodeList()) {
            if (node.getOpType().equals("LayerNormalization") && node.getInputCount() >= 3) {
                norms.add(new Norm(node.getInput(1), node.getInput(2), node.getInput(0), node.getOutput(0)));
                continue;
            }
            if (!node.getOpType().equals("Sub") || node.getInputCount() != 2) {
                continue;
            }
            NodeProto mean = producers.get(node.getInput(1));
            if (mean == null || !mean.getOpType().equals("ReduceMean") || !mean.getInput(0).equals(node.getInput(0))) {
                continue;
            }
            NodeProto div = only(consumers, node.getOutput(0), "Div");
            NodeProto mul = div == null ? null : only(consumers, div.getOutput(0), "Mul");
            NodeProto add = mul == null ? null : only(consumers, mul.getOutput(0), "Add");
            if (add == null) {
                continue;
            }
            String gamma = constantOperand(mul, div.getOutput(0), initializers);
            String beta = constantOperand(add, mul.getOutput(0), initializers);
            if (gamma == null || beta == null) {
                continue;
            }
            norms.add(new Norm(gamma, beta, node.getInput(0), add.getOutput(0)));
        }
        return norms;
    }

    private static NodeProto only(Map<String, List<NodeProto>> consumers, String value, String op) {
        return consumers.getOrDefault(value, List.of()).stream().filter(n -> n.getOpType().equals(op)).findFirst()
                .orElse(null);
    }

    private static String constantOperand(NodeProto node, String activation, Map<String, TensorProto> initializers) {
        String other = node.getInput(0).equals(activation) ? node.getInput(1) : node.getInput(0);
        return initializers.containsKey(other) ? other : null;
    }

    /** BERT's 1e-12 unless the graph says otherwise (the epsilon attribute, or the Add before Sqrt). */
    private static float epsilonOf(GraphProto graph, Map<String, TensorProto> initializers,
                                   Map<String, List<NodeProto>> consumers, Norm norm) {
        for (NodeProto node : graph.getNodeList()) {
            if (node.getOpType().equals("LayerNormalization") && node.getOutput(0).equals(norm.output())) {
                return node.getAttributeList().stream().filter(a -> a.getName().equals("epsilon"))
                        .map(a -> a.getF()).findFirst().orElse(1e-5f);
            }
        }
        return 1e-12f;
    }

    Optional<String> typesInputName() {
        return Optional.ofNullable(typesInput);
    }
}
