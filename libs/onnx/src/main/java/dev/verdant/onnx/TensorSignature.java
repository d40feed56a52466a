package dev.verdant.onnx;

import java.util.List;

/**
 * A graph input or output as a caller sees it.
 *
 * @param name        the tensor name to feed or fetch
 * @param elementType lower-case ONNX element type ("int64", "float"), or the kind of a
 *                    non-tensor value ("sequence", "map", "optional", "sparse_tensor", "unknown")
 * @param shape       one entry per dimension: a number ("384"), the symbolic name of a dynamic
 *                    dimension ("batch_size"), or "?" when the file leaves it unnamed; empty for
 *                    a scalar or when the rank is unknown (see {@code rankKnown})
 * @param rankKnown   false when the file declares no shape at all
 */
public record TensorSignature(String name, String elementType, List<String> shape, boolean rankKnown) {

    public TensorSignature {
        shape = List.copyOf(shape);
    }

    /** The last dimension when it is a fixed number, else -1. */
    public long lastFixedDimension() {
        if (shape.isEmpty()) {
            return -1;
        }
        try {
            return Long.parseLong(shape.get(shape.size() - 1));
        } catch (NumberFormatException symbolic) {
            return -1;
        }
    }
}
