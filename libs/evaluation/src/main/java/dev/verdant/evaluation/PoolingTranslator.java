package dev.verdant.evaluation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;

import java.nio.IntBuffer;
import java.nio.LongBuffer;

/**
 * DJL translator from a tokenized batch to mean-pooled sentence vectors: names each input tensor
 * after the graph input it feeds (so models without token_type_ids, or with another input order,
 * just work), and pools the bound [batch, sequence, hidden] output with the attention mask.
 * Tensors live in the predictor context's manager and are freed after each call.
 */
final class PoolingTranslator implements NoBatchifyTranslator<TokenizedBatch, float[][]> {

    private static final String BATCH = "batch";

    private final ModelBinding binding;

    PoolingTranslator(ModelBinding binding) {
        this.binding = binding;
    }

    @Override
    public NDList processInput(TranslatorContext ctx, TokenizedBatch batch) {
        NDManager manager = ctx.getNDManager();
        Shape shape = new Shape(batch.size(), batch.length());
        NDList inputs = new NDList(binding.inputs().size());
        for (ModelBinding.FedInput input : binding.inputs()) {
            long[] values = switch (input.feed()) {
                case TOKEN_IDS -> batch.ids();
                case ATTENTION_MASK -> batch.mask();
                case TOKEN_TYPES -> batch.types();
            };
            NDArray array = input.int32()
                    ? manager.create(IntBuffer.wrap(toInts(values)), shape, DataType.INT32)
                    : manager.create(LongBuffer.wrap(values), shape, DataType.INT64);
            array.setName(input.name());
            inputs.add(array);
        }
        ctx.setAttachment(BATCH, batch);
        return inputs;
    }

    @Override
    public float[][] processOutput(TranslatorContext ctx, NDList outputs) {
        TokenizedBatch batch = (TokenizedBatch) ctx.getAttachment(BATCH);
        NDArray hidden = outputs.get(binding.output());
        if (hidden == null) {
            throw new IllegalStateException("ONNX Runtime returned no output '" + binding.output() + "', only "
                    + outputs.stream().map(NDArray::getName).toList());
        }
        Shape shape = hidden.getShape();
        if (shape.dimension() != 3 || shape.get(0) != batch.size() || shape.get(1) != batch.length()) {
            throw new IllegalStateException("output '" + binding.output() + "' has shape " + shape + ", expected ["
                    + batch.size() + ", " + batch.length() + ", hidden]");
        }
        return Pooling.mean(hidden.toFloatArray(), batch.mask(), batch.size(), batch.length(), (int) shape.get(2));
    }

    private static int[] toInts(long[] values) {
        int[] ints = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            ints[i] = Math.toIntExact(values[i]);
        }
        return ints;
    }
}
