package dev.verdant.onnx;

/**
 * The transformer encoder found in a graph, measured from its structure (weight shapes, the
 * attention Softmax nodes, the head-splitting Reshape), not from tensor names.
 *
 * @param layers              attention blocks (MatMul, Softmax, MatMul over activations)
 * @param hiddenSize          width of the word-embedding table, {@code [vocabulary, hidden]}
 * @param attentionHeads      heads per layer from the head-splitting Reshape
 *                            {@code [batch, sequence, heads, headSize]}, or hiddenSize / headSize
 *                            when only the score scale 1/sqrt(headSize) is readable; 0 if neither
 * @param headSize            dimensions per head; 0 if unknown
 * @param ffnSize             inner width of the feed-forward pairs {@code [hidden, ffn]} then
 *                            {@code [ffn, hidden]}; the most common one if layers differ
 * @param ffnPairs            feed-forward pairs found (equals layers in an intact encoder)
 * @param vocabularySize      rows of the word-embedding table
 * @param maxPositions        rows of the learned position table; 0 when there is none
 * @param tokenTypes          rows of the token-type table; 0 when there is none
 * @param hasTokenTypeInput   a graph input feeds the token-type table (token_type_ids)
 * @param family              embedding layout
 * @param activation          FFN activation
 * @param normalization       fused LayerNormalization ops or the decomposed chain
 * @param layerNorms          normalizations found (2 per layer + 1 after the embeddings in BERT)
 * @param weightElementType   element type of the FFN weights ("float", "int8", "uint8", ...)
 * @param hasPooledOutput     a graph output comes from a Tanh (BERT's pooler over [CLS])
 */
public record EncoderArchitecture(
        int layers,
        int hiddenSize,
        int attentionHeads,
        int headSize,
        int ffnSize,
        int ffnPairs,
        int vocabularySize,
        int maxPositions,
        int tokenTypes,
        boolean hasTokenTypeInput,
        EncoderFamily family,
        Activation activation,
        NormalizationForm normalization,
        int layerNorms,
        String weightElementType,
        boolean hasPooledOutput) {
}
