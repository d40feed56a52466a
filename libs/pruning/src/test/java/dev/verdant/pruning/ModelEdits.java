package dev.verdant.pruning;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.verdant.onnx.Tensors;

import java.util.function.UnaryOperator;

/** Test-side edits of an original model: the reference a pruned model must compute. */
final class ModelEdits {

    private ModelEdits() {
    }

    static TensorProto initializer(ModelProto model, String name) {
        return model.getGraph().getInitializerList().stream().filter(t -> t.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no initializer " + name));
    }

    static float[] floats(ModelProto model, String name) {
        return Tensors.toFloats(initializer(model, name));
    }

    /** The model with initializer {@code name}'s values transformed (same dims). */
    static ModelProto mapValues(ModelProto model, String name, UnaryOperator<float[]> change) {
        var graph = model.getGraph().toBuilder();
        for (int i = 0; i < graph.getInitializerCount(); i++) {
            TensorProto tensor = graph.getInitializer(i);
            if (tensor.getName().equals(name)) {
                float[] values = change.apply(Tensors.toFloats(tensor).clone());
                graph.setInitializer(i, Tensors.ofFloats(name, Tensors.dims(tensor), values));
                return model.toBuilder().setGraph(graph).build();
            }
        }
        throw new AssertionError("no initializer " + name);
    }

    /** Zeroes columns of a [rows, cols] matrix not in {@code kept}. */
    static float[] zeroColumns(float[] values, int cols, boolean[] kept) {
        for (int i = 0; i < values.length; i++) {
            if (!kept[i % cols]) {
                values[i] = 0;
            }
        }
        return values;
    }

    /** Zeroes rows of a [rows, cols] matrix not in {@code kept}. */
    static float[] zeroRows(float[] values, int cols, boolean[] kept) {
        for (int i = 0; i < values.length; i++) {
            if (!kept[i / cols]) {
                values[i] = 0;
            }
        }
        return values;
    }

    static long parameters(ModelProto model) {
        return model.getGraph().getInitializerList().stream().mapToLong(Tensors::elementCount).sum();
    }
}
