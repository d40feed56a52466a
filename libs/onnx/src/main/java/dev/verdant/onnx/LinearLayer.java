package dev.verdant.onnx;

import ai.onnx.proto.OnnxMl.NodeProto;

import java.util.Optional;

/**
 * A node that multiplies activations by a stored weight matrix, {@code y = x W} with W of shape
 * {@code [in, out]}, in any of the spellings exporters and quantizers use.
 *
 * @param node        the multiplying node
 * @param in          rows of W (input features)
 * @param out         columns of W (output features)
 * @param elementType stored type of W ("float", "int8", "uint8" for 4-bit blocks...)
 */
record LinearLayer(NodeProto node, long in, long out, int elementType) {

    /**
     * Reads a node as a linear layer: MatMul and MatMulInteger (weight as second input, [in, out]),
     * ONNX Runtime's quantized variants, Gemm (transB=1 stores W as [out, in]) and MatMulNBits
     * (4-bit blocks; its attributes K and N carry in and out).
     */
    static Optional<LinearLayer> of(GraphIndex index, NodeProto node) {
        if (node.getInputCount() < 2) {
            return Optional.empty();
        }
        switch (node.getOpType()) {
            case "MatMul", "MatMulInteger", "DynamicQuantizeMatMul", "MatMulIntegerToFloat" -> {
                return index.weight(node.getInput(1))
                        .filter(GraphIndex.Weight::isMatrix)
                        .map(w -> new LinearLayer(node, w.dims()[0], w.dims()[1], w.elementType()));
            }
            case "Gemm" -> {
                boolean transposed = GraphIndex.intAttribute(node, "transB").orElse(0L) != 0;
                return index.weight(node.getInput(1))
                        .filter(GraphIndex.Weight::isMatrix)
                        .map(w -> transposed
                                ? new LinearLayer(node, w.dims()[1], w.dims()[0], w.elementType())
                                : new LinearLayer(node, w.dims()[0], w.dims()[1], w.elementType()));
            }
            case "MatMulNBits" -> {
                Optional<Long> in = GraphIndex.intAttribute(node, "K");
                Optional<Long> out = GraphIndex.intAttribute(node, "N");
                if (in.isEmpty() || out.isEmpty() || !index.isConstant(node.getInput(1))) {
                    return Optional.empty();
                }
                int stored = index.constant(node.getInput(1)).orElseThrow().getDataType();
                return Optional.of(new LinearLayer(node, in.get(), out.get(), stored));
            }
            default -> {
                return Optional.empty();
            }
        }
    }
}
