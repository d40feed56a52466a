package dev.verdant.onnx;

import ai.onnx.proto.OnnxMl.ValueInfoProto;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Decides whether a graph is a transformer encoder and measures it. An encoder needs all three
 * of: token ids looked up in an embedding table, attention blocks, and feed-forward pairs.
 */
final class EncoderDetector {

    sealed interface Detection permits Found, Missing {
    }

    record Found(EncoderArchitecture architecture) implements Detection {
    }

    /** @param missing the parts of an encoder the graph lacks, in words */
    record Missing(List<String> missing) implements Detection {
    }

    static final String TOKEN_EMBEDDING = "a token-id input (int64 [batch, sequence]) feeding an embedding"
            + " Gather over a stored [vocabulary, hidden] table";
    static final String ATTENTION = "attention blocks (MatMul of Q and K, Softmax, MatMul with V)";
    static final String FEED_FORWARD = "feed-forward pairs (a MatMul with a [hidden, ffn] weight, then one"
            + " with an [ffn, hidden] weight)";

    private EncoderDetector() {
    }

    static Detection detect(GraphIndex index) {
        Optional<EmbeddingTables> embeddings = EmbeddingTables.find(index);
        AttentionBlocks attention = AttentionBlocks.find(index);
        FeedForwardPairs ffn = embeddings.map(tables -> FeedForwardPairs.find(index, tables.hiddenSize()))
                .orElse(new FeedForwardPairs(List.of()));
        List<String> missing = new ArrayList<>();
        if (embeddings.isEmpty()) {
            missing.add(TOKEN_EMBEDDING);
        }
        if (attention.blocks() == 0) {
            missing.add(ATTENTION);
        }
        if (ffn.count() == 0) {
            missing.add(FEED_FORWARD);
        }
        if (!missing.isEmpty()) {
            return new Missing(List.copyOf(missing));
        }
        EmbeddingTables tables = embeddings.get();
        long hidden = tables.hiddenSize();
        long heads = mode(attention.heads()).orElse(0L);
        long headSize = mode(attention.headSizes()).orElse(0L);
        // hidden = heads x headSize: whichever the graph spells out gives the other.
        if (heads == 0 && headSize > 0 && hidden % headSize == 0) {
            heads = hidden / headSize;
        }
        if (headSize == 0 && heads > 0 && hidden % heads == 0) {
            headSize = hidden / heads;
        }
        LayerNorms norms = LayerNorms.find(index);
        FeedForwardPairs.Pair typical = mode(ffn.pairs().stream().map(FeedForwardPairs.Pair::ffnSize).toList())
                .flatMap(size -> ffn.pairs().stream().filter(pair -> pair.ffnSize() == size).findFirst())
                .orElseThrow();
        return new Found(new EncoderArchitecture(
                attention.blocks(),
                toInt(hidden),
                toInt(heads),
                toInt(headSize),
                toInt(typical.ffnSize()),
                ffn.count(),
                toInt(tables.vocabularySize()),
                toInt(tables.maxPositions()),
                toInt(tables.tokenTypes()),
                tables.tokenTypeInput().isPresent(),
                family(tables),
                typical.activation(),
                norms.form(),
                norms.total(),
                ElementTypes.name(typical.weightElementType()),
                hasPooledOutput(index)));
    }

    private static EncoderFamily family(EmbeddingTables tables) {
        if (tables.maxPositions() == 0) {
            return EncoderFamily.OTHER;
        }
        return tables.tokenTypes() > 0 ? EncoderFamily.BERT : EncoderFamily.DISTILBERT;
    }

    /** BERT's pooler: tanh(W h_[CLS] + b) as a graph output. */
    private static boolean hasPooledOutput(GraphIndex index) {
        for (ValueInfoProto output : index.graph().getOutputList()) {
            String current = output.getName();
            for (int hop = 0; hop < 3; hop++) {
                var producer = index.producer(current);
                if (producer.isEmpty() || producer.get().getInputCount() == 0) {
                    break;
                }
                if (producer.get().getOpType().equals("Tanh")) {
                    return true;
                }
                if (!producer.get().getOpType().equals("Identity") && !producer.get().getOpType().equals("Cast")) {
                    break;
                }
                current = producer.get().getInput(0);
            }
        }
        return false;
    }

    /** Most frequent value (the smallest among equally frequent ones, for determinism). */
    private static Optional<Long> mode(Collection<Long> values) {
        return values.stream()
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()))
                .entrySet().stream()
                .max(Map.Entry.<Long, Long>comparingByValue().thenComparing(Map.Entry.comparingByKey(java.util.Comparator.reverseOrder())))
                .map(Map.Entry::getKey);
    }

    /** Dimensions here come from an accepted file and fit int; clamp anything absurd rather than wrap. */
    private static int toInt(long value) {
        return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, value));
    }
}
