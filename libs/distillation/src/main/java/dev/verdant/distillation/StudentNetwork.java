package dev.verdant.distillation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.norm.LayerNorm;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The student as a post-LayerNorm BERT encoder on DJL's PyTorch engine, written as a function of
 * its parameter arrays (no DJL blocks: DJL's TransformerEncoderBlock is not BERT, and BertBlock
 * needs inputs of exactly its maximum length):
 * <pre>
 *   x = LN(word[ids] + type[types] + position[0..L))
 *   per layer: a = LN(x + Attention(x) Wo + bo);  x = LN(a + GELU(a W1 + b1) W2 + b2)
 *   Attention = softmax(Q K^T / sqrt(d) + (1 - mask) x -1e9) V per head, Q = x Wq + bq, ...
 *   embedding = sum_t mask_t x_t / max(sum_t mask_t, 1e-9)   (mean pooling, as sentence-transformers)
 * </pre>
 * Weights stay in ONNX layout ([in, out]): x W is a plain matMul, and nothing is transposed on the
 * way in or out. GELU is the exact (erf) one, as in the teacher's graph.
 *
 * <p>Arrays: parameters live in {@code root}; each forward pass runs in a sub-manager to which the
 * parameters are temporarily attached, so every intermediate array (including the ones computed
 * from a parameter first) is freed when the pass's manager closes.
 */
final class StudentNetwork implements AutoCloseable {

    static final float MASK_VALUE = -1e9f;

    final NDManager root;
    final Map<String, NDArray> parameters = new LinkedHashMap<>();
    final List<String> trainable = new ArrayList<>();
    final StudentWeights weights;

    StudentNetwork(NDManager root, StudentWeights weights, boolean trainTokenEmbedding) {
        this.root = root;
        this.weights = weights;
        for (StudentWeights.Tensor tensor : weights.tensors.values()) {
            NDArray array = root.create(tensor.values(), new Shape(tensor.shape()));
            array.setName(tensor.name());
            parameters.put(tensor.name(), array);
            if (trainTokenEmbedding || !tensor.name().equals("word")) {
                trainable.add(tensor.name());
            }
        }
    }

    /** Switches gradients on for the trainable parameters (before training). */
    void requireGradients() {
        for (String name : trainable) {
            parameters.get(name).setRequiresGradient(true);
        }
    }

    long trainableCount() {
        return trainable.stream().mapToLong(name -> parameters.get(name).size()).sum();
    }

    /** Lends every parameter to {@code scope} until it closes. */
    void attachTo(NDManager scope) {
        scope.tempAttachAll(parameters.values().toArray(new NDArray[0]));
    }

    /** Mean-pooled embeddings [batch, hidden]; arrays are created in {@code scope}. */
    NDArray embed(NDManager scope, Batch batch) {
        int b = batch.size();
        int length = batch.length();
        int hidden = weights.hidden;
        NDArray ids = scope.create(batch.ids(), new Shape(b, length));
        NDArray mask = scope.create(batch.maskFloats(), new Shape(b, length));
        NDArray x = Embedding.embedding(ids, p("word"), SparseFormat.DENSE).singletonOrThrow();
        x = x.add(p("position").get(new NDIndex("0:{}", length)));
        if (weights.hasTokenTypes()) {
            NDArray types = scope.create(batch.types(), new Shape(b, length));
            x = x.add(Embedding.embedding(types, p("type"), SparseFormat.DENSE).singletonOrThrow());
        }
        x = norm(x, "emb.ln");
        NDArray additiveMask = mask.neg().add(1f).mul(MASK_VALUE).reshape(b, 1, 1, length);
        int heads = weights.heads;
        int headSize = hidden / heads;
        float scale = (float) Math.sqrt(headSize);
        for (int layer = 0; layer < weights.layers(); layer++) {
            String l = "l" + layer + ".";
            NDArray q = linear(x, l + "q").reshape(b, length, heads, headSize).transpose(0, 2, 1, 3);
            NDArray k = linear(x, l + "k").reshape(b, length, heads, headSize).transpose(0, 2, 3, 1);
            NDArray v = linear(x, l + "v").reshape(b, length, heads, headSize).transpose(0, 2, 1, 3);
            NDArray probabilities = q.matMul(k).div(scale).add(additiveMask).softmax(-1);
            NDArray context = probabilities.matMul(v).transpose(0, 2, 1, 3).reshape(b, length, hidden);
            NDArray attended = norm(linear(context, l + "o").add(x), l + "ln1");
            NDArray inner = Activation.gelu(linear(attended, l + "up"));
            x = norm(linear(inner, l + "down").add(attended), l + "ln2");
        }
        NDArray weightsPerToken = mask.expandDims(2);
        NDArray sum = x.mul(weightsPerToken).sum(new int[] {1});
        NDArray count = mask.sum(new int[] {1}, true).maximum(1e-9f);
        return sum.div(count);
    }

    /** Embeddings as Java arrays, without gradients (evaluation, export check). */
    float[][] embedValues(Batch batch) {
        try (NDManager scope = root.newSubManager()) {
            attachTo(scope);
            NDArray pooled = embed(scope, batch);
            float[] flat = pooled.toFloatArray();
            int hidden = weights.hidden;
            float[][] rows = new float[batch.size()][hidden];
            for (int i = 0; i < batch.size(); i++) {
                System.arraycopy(flat, i * hidden, rows[i], 0, hidden);
            }
            return rows;
        }
    }

    /** Current values of every parameter, by name. */
    Map<String, float[]> values() {
        Map<String, float[]> out = new LinkedHashMap<>();
        parameters.forEach((name, array) -> out.put(name, array.toFloatArray()));
        return out;
    }

    private NDArray linear(NDArray x, String name) {
        return x.matMul(p(name + ".w")).add(p(name + ".b"));
    }

    private NDArray norm(NDArray x, String name) {
        return LayerNorm.layerNorm(x, new Shape(weights.hidden), p(name + ".g"), p(name + ".b"), weights.epsilon)
                .singletonOrThrow();
    }

    private NDArray p(String name) {
        return parameters.get(name);
    }

    @Override
    public void close() {
        parameters.values().forEach(NDArray::close);
    }

    static DataType floatType() {
        return DataType.FLOAT32;
    }
}
