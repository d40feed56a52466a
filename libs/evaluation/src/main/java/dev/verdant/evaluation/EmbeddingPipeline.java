package dev.verdant.evaluation;

import java.util.ArrayList;
import java.util.List;

/**
 * Sentences in, mean-pooled embeddings out: the tokenizer, then the model through DJL, then
 * pooling. This is the whole harness whose cost {@code HarnessOverheadBenchmark} compares with
 * a bare ONNX Runtime loop.
 */
final class EmbeddingPipeline {

    private final SentenceTokenizer tokenizer;
    private final EncoderSession session;

    EmbeddingPipeline(SentenceTokenizer tokenizer, EncoderSession session) {
        this.tokenizer = tokenizer;
        this.session = session;
    }

    float[][] embed(List<String> sentences) throws EvaluationFailure {
        return session.embed(tokenizer.tokenize(sentences));
    }

    /**
     * Embeds every sentence in consecutive batches of {@code batchSize}, in order. The batching is
     * fixed (padding depends on the batch), so the same list always gives the same vectors.
     */
    float[][] embedAll(List<String> sentences, int batchSize) throws EvaluationFailure {
        List<float[]> vectors = new ArrayList<>(sentences.size());
        for (int start = 0; start < sentences.size(); start += batchSize) {
            List<String> batch = sentences.subList(start, Math.min(sentences.size(), start + batchSize));
            for (float[] vector : embed(batch)) {
                vectors.add(vector);
            }
        }
        return vectors.toArray(float[][]::new);
    }
}
