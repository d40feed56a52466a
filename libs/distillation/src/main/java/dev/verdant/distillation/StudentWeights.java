package dev.verdant.distillation;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The student's parameters as plain arrays, in ONNX layout (linear weights {@code [in, out]}, so
 * {@code y = x W + b} needs no transposition anywhere), each tied to the teacher initializer it
 * came from and goes back to on export.
 *
 * <p>Names: {@code word}, {@code position}, {@code type}, {@code emb.ln.g|b}, and per student layer
 * {@code s}: {@code l<s>.q|k|v|o|up|down.w|b}, {@code l<s>.ln1.g|b}, {@code l<s>.ln2.g|b}.
 */
final class StudentWeights {

    record Tensor(String name, long[] shape, float[] values, String initializer) {
    }

    final Map<String, Tensor> tensors;
    final List<Integer> keptLayers;
    final int hidden;
    final int heads;
    final int ffn;
    final float epsilon;

    private StudentWeights(Map<String, Tensor> tensors, List<Integer> keptLayers, int hidden, int heads, int ffn,
                           float epsilon) {
        this.tensors = tensors;
        this.keptLayers = List.copyOf(keptLayers);
        this.hidden = hidden;
        this.heads = heads;
        this.ffn = ffn;
        this.epsilon = epsilon;
    }

    int layers() {
        return keptLayers.size();
    }

    boolean hasTokenTypes() {
        return tensors.containsKey("type");
    }

    /**
     * Teacher layers the student starts from: evenly spaced, always ending at the top layer,
     * {@code kept[i] = round((i + 1) L / S) - 1}; 6 -> 3 keeps 1, 3, 5. Keeping the top layer
     * means the student's last layer already writes into the teacher's output space (the space
     * the embeddings are compared in), and the export keeps the graph output's producer.
     */
    static List<Integer> keptLayers(int teacherLayers, int studentLayers) {
        List<Integer> kept = new ArrayList<>();
        for (int i = 0; i < studentLayers; i++) {
            kept.add((int) Math.round((i + 1) * (double) teacherLayers / studentLayers) - 1);
        }
        return kept;
    }

    /**
     * Copies the teacher's weights: embeddings and their LayerNorm, and for each kept layer its
     * Q, K, V, attention output, both LayerNorms and the FFN. A narrower FFN keeps the
     * {@code ffn} inner neurons j with the largest ||W1[:, j]|| x ||W2[j, :]|| (in their order).
     */
    static StudentWeights fromTeacher(BertLayout layout, List<Integer> kept, int heads, int ffnSize) {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        copy(tensors, layout, "word", layout.wordTable);
        copy(tensors, layout, "position", layout.positionTable);
        if (layout.typeTable != null) {
            copy(tensors, layout, "type", layout.typeTable);
        }
        copy(tensors, layout, "emb.ln.g", layout.embeddingNorm.gamma());
        copy(tensors, layout, "emb.ln.b", layout.embeddingNorm.beta());
        int teacherFfn = layout.layers.get(0).up().out();
        int ffn = ffnSize <= 0 ? teacherFfn : ffnSize;
        for (int s = 0; s < kept.size(); s++) {
            BertLayout.Layer layer = layout.layers.get(kept.get(s));
            String p = "l" + s + ".";
            linear(tensors, layout, p + "q", layer.query());
            linear(tensors, layout, p + "k", layer.key());
            linear(tensors, layout, p + "v", layer.value());
            linear(tensors, layout, p + "o", layer.attentionOutput());
            copy(tensors, layout, p + "ln1.g", layer.attentionNorm().gamma());
            copy(tensors, layout, p + "ln1.b", layer.attentionNorm().beta());
            int layerFfn = layer.up().out();
            if (ffn == layerFfn) {
                linear(tensors, layout, p + "up", layer.up());
                linear(tensors, layout, p + "down", layer.down());
            } else {
                narrowFfn(tensors, layout, p, layer, ffn);
            }
            copy(tensors, layout, p + "ln2.g", layer.outputNorm().gamma());
            copy(tensors, layout, p + "ln2.b", layer.outputNorm().beta());
        }
        return new StudentWeights(tensors, kept, layout.hidden, heads, ffn, layout.layerNormEpsilon);
    }

    private static void narrowFfn(Map<String, Tensor> tensors, BertLayout layout, String p, BertLayout.Layer layer, int ffn) {
        int hidden = layout.hidden;
        int wide = layer.up().out();
        float[] w1 = layout.floats(layer.up().weight());   // [hidden, wide]
        float[] b1 = layout.floats(layer.up().bias());     // [wide]
        float[] w2 = layout.floats(layer.down().weight()); // [wide, hidden]
        double[] importance = new double[wide];
        for (int j = 0; j < wide; j++) {
            double up = 0;
            for (int i = 0; i < hidden; i++) {
                up += (double) w1[i * wide + j] * w1[i * wide + j];
            }
            double down = 0;
            for (int i = 0; i < hidden; i++) {
                down += (double) w2[j * hidden + i] * w2[j * hidden + i];
            }
            importance[j] = Math.sqrt(up) * Math.sqrt(down);
        }
        Integer[] order = new Integer[wide];
        for (int j = 0; j < wide; j++) {
            order[j] = j;
        }
        Arrays.sort(order, (a, b) -> importance[b] != importance[a] ? Double.compare(importance[b], importance[a])
                : Integer.compare(a, b));
        int[] keep = Arrays.stream(order, 0, ffn).mapToInt(Integer::intValue).sorted().toArray();
        float[] nw1 = new float[hidden * ffn];
        float[] nb1 = new float[ffn];
        float[] nw2 = new float[ffn * hidden];
        for (int c = 0; c < ffn; c++) {
            int j = keep[c];
            for (int i = 0; i < hidden; i++) {
                nw1[i * ffn + c] = w1[i * wide + j];
            }
            nb1[c] = b1[j];
            System.arraycopy(w2, j * hidden, nw2, c * hidden, hidden);
        }
        tensors.put(p + "up.w", new Tensor(p + "up.w", new long[] {hidden, ffn}, nw1, layer.up().weight()));
        tensors.put(p + "up.b", new Tensor(p + "up.b", new long[] {ffn}, nb1, layer.up().bias()));
        tensors.put(p + "down.w", new Tensor(p + "down.w", new long[] {ffn, hidden}, nw2, layer.down().weight()));
        copy(tensors, layout, p + "down.b", layer.down().bias());
    }

    private static void linear(Map<String, Tensor> tensors, BertLayout layout, String name, BertLayout.Linear linear) {
        copy(tensors, layout, name + ".w", linear.weight());
        copy(tensors, layout, name + ".b", linear.bias());
    }

    private static void copy(Map<String, Tensor> tensors, BertLayout layout, String name, String initializer) {
        tensors.put(name, new Tensor(name, layout.dims(initializer), layout.floats(initializer), initializer));
    }

    /** The same tensors with new values (trained), keyed by name. */
    StudentWeights withValues(Map<String, float[]> values) {
        Map<String, Tensor> updated = new LinkedHashMap<>();
        for (Tensor tensor : tensors.values()) {
            float[] v = values.getOrDefault(tensor.name(), tensor.values());
            updated.put(tensor.name(), new Tensor(tensor.name(), tensor.shape(), v, tensor.initializer()));
        }
        return new StudentWeights(updated, keptLayers, hidden, heads, ffn, epsilon);
    }
}
