package dev.verdant.onnx.testing;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import dev.verdant.onnx.OnnxGraphs;
import dev.verdant.onnx.Tensors;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;

import static dev.verdant.onnx.testing.GraphAssembly.integer;
import static dev.verdant.onnx.testing.GraphAssembly.ints;
import static dev.verdant.onnx.testing.GraphAssembly.real;

/**
 * Builds, in code, a BERT-shaped encoder with random weights that ONNX Runtime can run: the
 * stand-in for all-MiniLM-L6-v2 in fast tests.
 *
 * <p>It emits the op patterns of the real MiniLM export (torch 2.0.1, opset 11) node for node, so
 * graph-rewriting code meets here what it will meet in production:
 * <ul>
 *   <li>inputs input_ids, attention_mask, token_type_ids: int64 [batch_size, sequence_length];
 *       output last_hidden_state: float [batch_size, sequence_length, hidden]</li>
 *   <li>embeddings: Gather(word) + Gather(token type) + Gather(position), the position indices a
 *       Slice of an int64 position_ids buffer [1, maxPositions] up to the sequence length</li>
 *   <li>mask: (1 - Cast(mask[:, None, None, :])) * -3.4028235e38 (torch.finfo(float32).min, what
 *       transformers uses instead of the older -10000), added to the scores</li>
 *   <li>per layer: Q, K, V as MatMul then Add(bias, x); heads split by Reshape to a Concat of
 *       the dynamic batch and sequence sizes with the constants [heads] and [headSize]; K
 *       transposed with perm [0, 2, 3, 1]; scores Div by sqrt(headSize); Softmax(axis 3);
 *       context Transpose and Reshape back to [batch, sequence, hidden]; output MatMul + Add;
 *       residual Add; LayerNorm; FFN MatMul + Add; exact GELU as x * (1 + erf(x / 1.4142135)) * 0.5;
 *       MatMul + Add; residual; LayerNorm</li>
 *   <li>LayerNorm decomposed (ReduceMean, Sub, Pow 2, ReduceMean, Add 1e-12, Sqrt, Div, Mul, Add),
 *       or with {@link LayerNormStyle#FUSED} one LayerNormalization op (opset 17, IR 8)</li>
 * </ul>
 * Weights are N(0, 0.02) from {@code seed} (java.util.Random: the same on every JVM), LayerNorm
 * gamma 1 and beta 0, so every output vector has mean 0 and variance 1 (up to epsilon).
 */
public final class TinyBertBuilder {

    /** How layer normalization is spelled. */
    public enum LayerNormStyle {
        /** The primitive chain torch exports below opset 17, as in MiniLM's file (opset 11, IR 6). */
        DECOMPOSED,
        /** One LayerNormalization op (opset 17, IR 8). */
        FUSED
    }

    /** torch.finfo(torch.float32).min: the additive mask value transformers uses. */
    static final float MASK_VALUE = -3.4028235e38f;
    static final float LAYER_NORM_EPSILON = 1e-12f;

    private int layers = 2;
    private int hidden = 32;
    private int heads = 4;
    private int ffn = 64;
    private int vocabulary = 100;
    private int maxPositions = 16;
    private int tokenTypes = 2;
    private long seed = 42;
    private LayerNormStyle layerNorm = LayerNormStyle.DECOMPOSED;
    private boolean pooledOutput;

    private TinyBertBuilder() {
    }

    /** 2 layers, hidden 32, 4 heads, FFN 64, vocabulary 100, 16 positions, 2 token types. */
    public static TinyBertBuilder tiny() {
        return new TinyBertBuilder();
    }

    public TinyBertBuilder layers(int value) {
        layers = positive("layers", value);
        return this;
    }

    public TinyBertBuilder hidden(int value) {
        hidden = positive("hidden", value);
        return this;
    }

    public TinyBertBuilder heads(int value) {
        heads = positive("heads", value);
        return this;
    }

    public TinyBertBuilder ffn(int value) {
        ffn = positive("ffn", value);
        return this;
    }

    public TinyBertBuilder vocabulary(int value) {
        vocabulary = positive("vocabulary", value);
        return this;
    }

    public TinyBertBuilder maxPositions(int value) {
        maxPositions = positive("maxPositions", value);
        return this;
    }

    public TinyBertBuilder tokenTypes(int value) {
        tokenTypes = positive("tokenTypes", value);
        return this;
    }

    public TinyBertBuilder seed(long value) {
        seed = value;
        return this;
    }

    public TinyBertBuilder layerNorm(LayerNormStyle value) {
        layerNorm = value;
        return this;
    }

    /** Adds BERT's pooler: pooler_output = tanh(last_hidden_state[:, 0] W + b), [batch_size, hidden]. */
    public TinyBertBuilder pooledOutput(boolean value) {
        pooledOutput = value;
        return this;
    }

    public int headSize() {
        return hidden / heads;
    }

    /**
     * Elements of all initializers, counted the way the inspector counts them:
     * V H + P H + T H + 2 H (embedding LayerNorm) + P (int64 position_ids)
     * + L (4 (H^2 + H) + 2 H + (H F + F) + (F H + H) + 2 H) + pooler (H^2 + H).
     * For MiniLM's shapes (V 30522, P 512, T 2, H 384, F 1536, L 6, no pooler): 22,565,888.
     */
    public long expectedParameterCount() {
        long h = hidden;
        long f = ffn;
        long embeddings = (long) vocabulary * h + (long) maxPositions * h + (long) tokenTypes * h + 2 * h + maxPositions;
        long perLayer = 4 * (h * h + h) + 2 * h + (h * f + f) + (f * h + h) + 2 * h;
        return embeddings + layers * perLayer + (pooledOutput ? h * h + h : 0);
    }

    public ModelProto build() {
        if (hidden % heads != 0) {
            throw new IllegalStateException("hidden " + hidden + " is not divisible by heads " + heads);
        }
        long opset = layerNorm == LayerNormStyle.FUSED ? 17 : 11;
        GraphAssembly graph = new GraphAssembly("torch_jit", opset);
        Random random = new Random(seed);
        graph.input("input_ids", DataType.INT64_VALUE, "batch_size", "sequence_length");
        graph.input("attention_mask", DataType.INT64_VALUE, "batch_size", "sequence_length");
        graph.input("token_type_ids", DataType.INT64_VALUE, "batch_size", "sequence_length");

        String mask = extendedMask(graph);
        String x = embeddings(graph, random);
        for (int layer = 0; layer < layers; layer++) {
            boolean last = layer == layers - 1;
            x = encoderLayer(graph, random, layer, x, mask, last ? "last_hidden_state" : null);
        }
        graph.output("last_hidden_state", DataType.FLOAT_VALUE, "batch_size", "sequence_length", hidden);
        if (pooledOutput) {
            pooler(graph, random, x);
            graph.output("pooler_output", DataType.FLOAT_VALUE, "batch_size", hidden);
        }
        return graph.model(opset >= 17 ? 8 : 6, "verdant-tiny-bert");
    }

    public byte[] toBytes() {
        return OnnxGraphs.toBytes(build());
    }

    public Path writeTo(Path file) throws IOException {
        OnnxGraphs.write(build(), file);
        return file;
    }

    /** (1 - mask[:, None, None, :]) * min_float: 0 where attended, a huge negative where padded. */
    private String extendedMask(GraphAssembly graph) {
        String unsqueezed = graph.unsqueeze("/Unsqueeze", "attention_mask", 1);
        unsqueezed = graph.unsqueeze("/Unsqueeze_1", unsqueezed, 2);
        String asFloat = graph.node("Cast", "/Cast", List.of(unsqueezed), integer("to", DataType.FLOAT_VALUE));
        String inverted = graph.node("Sub", "/Sub", List.of(graph.constant("/Constant", 1.0f), asFloat));
        return graph.node("Mul", "/Mul", List.of(inverted, graph.constant("/Constant_1", MASK_VALUE)));
    }

    private String embeddings(GraphAssembly graph, Random random) {
        String positionIds = graph.initializer(Tensors.ofLongs("embeddings.position_ids",
                new long[] {1, maxPositions}, LongStream.range(0, maxPositions).toArray()));
        String words = weight(graph, random, "embeddings.word_embeddings.weight", vocabulary, hidden);
        String positions = weight(graph, random, "embeddings.position_embeddings.weight", maxPositions, hidden);
        String types = weight(graph, random, "embeddings.token_type_embeddings.weight", tokenTypes, hidden);

        // position_ids[:, 0:sequence_length]
        String shape = graph.node("Shape", "/embeddings/Shape", List.of("input_ids"));
        String length = graph.node("Gather", "/embeddings/Gather",
                List.of(shape, graph.constant("/embeddings/Constant", 1, false)), integer("axis", 0));
        String start = graph.constant("/embeddings/Constant_1", 0, true);
        String end = graph.unsqueeze("/embeddings/Unsqueeze", length, 0);
        String axes = graph.constant("/embeddings/Constant_2", 1, true);
        String steps = graph.constant("/embeddings/Constant_3", 1, true);
        String slice = graph.node("Slice", "/embeddings/Slice", List.of(positionIds, start, end, axes, steps));

        String word = graph.node("Gather", "/embeddings/word_embeddings/Gather", List.of(words, "input_ids"));
        String type = graph.node("Gather", "/embeddings/token_type_embeddings/Gather", List.of(types, "token_type_ids"));
        String sum = graph.node("Add", "/embeddings/Add", List.of(word, type));
        String position = graph.node("Gather", "/embeddings/position_embeddings/Gather", List.of(positions, slice));
        sum = graph.node("Add", "/embeddings/Add_1", List.of(sum, position));
        return layerNorm(graph, "/embeddings/LayerNorm", "embeddings.LayerNorm", sum, null);
    }

    private String encoderLayer(GraphAssembly graph, Random random, int layer, String x, String mask, String outputName) {
        String scope = "/encoder/layer." + layer;
        String params = "encoder.layer." + layer;
        String self = scope + "/attention/self";
        int headSize = headSize();

        String query = linear(graph, random, self + "/query", params + ".attention.self.query", x, hidden, hidden);
        String key = linear(graph, random, self + "/key", params + ".attention.self.key", x, hidden, hidden);
        String keyHeads = splitHeads(graph, self, 0, key);
        String value = linear(graph, random, self + "/value", params + ".attention.self.value", x, hidden, hidden);
        String valueHeads = splitHeads(graph, self, 1, value);
        String valueT = graph.node("Transpose", self + "/Transpose", List.of(valueHeads), ints("perm", 0, 2, 1, 3));
        String queryHeads = splitHeads(graph, self, 2, query);
        String queryT = graph.node("Transpose", self + "/Transpose_1", List.of(queryHeads), ints("perm", 0, 2, 1, 3));
        String keyT = graph.node("Transpose", self + "/Transpose_2", List.of(keyHeads), ints("perm", 0, 2, 3, 1));

        // softmax(Q K^T / sqrt(headSize) + mask) V
        String scores = graph.node("MatMul", self + "/MatMul", List.of(queryT, keyT));
        String scaled = graph.node("Div", self + "/Div",
                List.of(scores, graph.constant(self + "/Constant_12", (float) Math.sqrt(headSize))));
        String masked = graph.node("Add", self + "/Add", List.of(scaled, mask));
        String probabilities = graph.node("Softmax", self + "/Softmax", List.of(masked), integer("axis", 3));
        String context = graph.node("MatMul", self + "/MatMul_1", List.of(probabilities, valueT));
        String contextT = graph.node("Transpose", self + "/Transpose_3", List.of(context), ints("perm", 0, 2, 1, 3));
        String merged = mergeHeads(graph, self, contextT);

        String attended = linear(graph, random, scope + "/attention/output/dense", params + ".attention.output.dense",
                merged, hidden, hidden);
        String residual = graph.node("Add", scope + "/attention/output/Add", List.of(attended, x));
        String normed = layerNorm(graph, scope + "/attention/output/LayerNorm", params + ".attention.output.LayerNorm",
                residual, null);

        String inner = linear(graph, random, scope + "/intermediate/dense", params + ".intermediate.dense", normed, hidden, ffn);
        String activated = gelu(graph, scope + "/intermediate/intermediate_act_fn", inner);
        String out = linear(graph, random, scope + "/output/dense", params + ".output.dense", activated, ffn, hidden);
        String residual2 = graph.node("Add", scope + "/output/Add", List.of(out, normed));
        return layerNorm(graph, scope + "/output/LayerNorm", params + ".output.LayerNorm", residual2, outputName);
    }

    /** y = Add(b, MatMul(x, W)) with W stored [in, out], bias first as torch exports it. */
    private static String linear(GraphAssembly graph, Random random, String scope, String params, String x, int in, int out) {
        String w = weight(graph, random, params + ".weight", in, out);
        String b = graph.initializer(Tensors.ofFloats(params + ".bias", new long[] {out}, gaussian(random, out)));
        String product = graph.node("MatMul", scope + "/MatMul", List.of(x, w));
        return graph.node("Add", scope + "/Add", List.of(b, product));
    }

    /**
     * [batch, sequence, hidden] to [batch, sequence, heads, headSize], the target shape built from
     * Shape/Gather/Unsqueeze of the tensor itself, as torch exports x.view(x.size()[:-1] + (h, d)).
     */
    private String splitHeads(GraphAssembly graph, String self, int which, String tensor) {
        int c = which * 4;
        String suffix = which == 0 ? "" : "_" + which;
        String batch = dimension(graph, self, 2 * which, c, tensor);
        String sequence = dimension(graph, self, 2 * which + 1, c + 1, tensor);
        String target = graph.node("Concat", self + "/Concat" + suffix, List.of(batch, sequence,
                graph.constant(self + "/Constant_" + (c + 2), heads, true),
                graph.constant(self + "/Constant_" + (c + 3), headSize(), true)), integer("axis", 0));
        return graph.node("Reshape", self + "/Reshape" + suffix, List.of(tensor, target));
    }

    /** [batch, heads... ] back to [batch, sequence, hidden]. */
    private String mergeHeads(GraphAssembly graph, String self, String tensor) {
        String batch = dimension(graph, self, 6, 13, tensor);
        String sequence = dimension(graph, self, 7, 14, tensor);
        String target = graph.node("Concat", self + "/Concat_3",
                List.of(batch, sequence, graph.constant(self + "/Constant_15", hidden, true)), integer("axis", 0));
        return graph.node("Reshape", self + "/Reshape_3", List.of(tensor, target));
    }

    /** Unsqueeze(Gather(Shape(tensor), axis)): one dynamic dimension as a one-element vector. */
    private static String dimension(GraphAssembly graph, String self, int index, int constant, String tensor) {
        String suffix = index == 0 ? "" : "_" + index;
        String shape = graph.node("Shape", self + "/Shape" + suffix, List.of(tensor));
        String size = graph.node("Gather", self + "/Gather" + suffix,
                List.of(shape, graph.constant(self + "/Constant_" + constant, index % 2, false)), integer("axis", 0));
        return graph.unsqueeze(self + "/Unsqueeze" + suffix, size, 0);
    }

    /** Exact GELU: x * (1 + erf(x / sqrt 2)) * 0.5. */
    private static String gelu(GraphAssembly graph, String scope, String x) {
        String divided = graph.node("Div", scope + "/Div", List.of(x, graph.constant(scope + "/Constant", 1.4142135f)));
        String erf = graph.node("Erf", scope + "/Erf", List.of(divided));
        String plusOne = graph.node("Add", scope + "/Add", List.of(erf, graph.constant(scope + "/Constant_1", 1.0f)));
        String product = graph.node("Mul", scope + "/Mul", List.of(x, plusOne));
        return graph.node("Mul", scope + "/Mul_1", List.of(product, graph.constant(scope + "/Constant_2", 0.5f)));
    }

    /**
     * (x - mean) / sqrt(mean((x - mean)^2) + 1e-12) * gamma + beta over the last axis; writes the
     * final Add to {@code outputName} when given (the graph output).
     */
    private String layerNorm(GraphAssembly graph, String scope, String params, String x, String outputName) {
        float[] ones = new float[hidden];
        java.util.Arrays.fill(ones, 1f);
        String gamma = graph.initializer(Tensors.ofFloats(params + ".weight", new long[] {hidden}, ones));
        String beta = graph.initializer(Tensors.ofFloats(params + ".bias", new long[] {hidden}, new float[hidden]));
        if (layerNorm == LayerNormStyle.FUSED) {
            var attributes = new ai.onnx.proto.OnnxMl.AttributeProto[] {integer("axis", -1), real("epsilon", LAYER_NORM_EPSILON)};
            return outputName == null
                    ? graph.node("LayerNormalization", scope + "/LayerNormalization", List.of(x, gamma, beta), attributes)
                    : graph.nodeWritingTo("LayerNormalization", scope + "/LayerNormalization", List.of(x, gamma, beta),
                    outputName, attributes);
        }
        String mean = graph.node("ReduceMean", scope + "/ReduceMean", List.of(x), ints("axes", -1));
        String centred = graph.node("Sub", scope + "/Sub", List.of(x, mean));
        String squared = graph.node("Pow", scope + "/Pow", List.of(centred, graph.constant(scope + "/Constant", 2.0f)));
        String variance = graph.node("ReduceMean", scope + "/ReduceMean_1", List.of(squared), ints("axes", -1));
        String padded = graph.node("Add", scope + "/Add",
                List.of(variance, graph.constant(scope + "/Constant_1", LAYER_NORM_EPSILON)));
        String deviation = graph.node("Sqrt", scope + "/Sqrt", List.of(padded));
        String normalized = graph.node("Div", scope + "/Div", List.of(centred, deviation));
        String scaled = graph.node("Mul", scope + "/Mul", List.of(normalized, gamma));
        return outputName == null
                ? graph.node("Add", scope + "/Add_1", List.of(scaled, beta))
                : graph.nodeWritingTo("Add", scope + "/Add_1", List.of(scaled, beta), outputName);
    }

    /** tanh(h[:, 0] W + b): BERT's pooler over the first ([CLS]) token. */
    private void pooler(GraphAssembly graph, Random random, String lastHidden) {
        String first = graph.node("Gather", "/pooler/Gather",
                List.of(lastHidden, graph.constant("/pooler/Constant", 0, false)), integer("axis", 1));
        String dense = linear(graph, random, "/pooler/dense", "pooler.dense", first, hidden, hidden);
        graph.nodeWritingTo("Tanh", "/pooler/activation/Tanh", List.of(dense), "pooler_output");
    }

    private static String weight(GraphAssembly graph, Random random, String name, int rows, int columns) {
        return graph.initializer(Tensors.ofFloats(name, new long[] {rows, columns}, gaussian(random, rows * columns)));
    }

    /** N(0, 0.02): BERT's initializer range. */
    private static float[] gaussian(Random random, int count) {
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = (float) (random.nextGaussian() * 0.02);
        }
        return values;
    }

    private static int positive(String what, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(what + " must be at least 1, got " + value);
        }
        return value;
    }
}
