package dev.verdant.ingest.core;

import dev.verdant.events.RecipeParser;
import dev.verdant.onnx.OnnxGraphs;
import java.nio.file.Path;

/**
 * What ingest accepts and where it works. Every limit is checked on the object's listed size,
 * before a byte of it is downloaded.
 *
 * @param bucket            the Verdant bucket
 * @param maxModelBytes     largest model accepted, at most 2 GiB - 1 (one protobuf message), also the
 *                          ONNX parser's limit (setting verdant.ingest.max-model-bytes)
 * @param maxTokenizerBytes largest tokenizer.json accepted (BERT's is 0.7 MB, multilingual ones ~17 MB;
 *                          verdant.ingest.max-tokenizer-bytes)
 * @param maxRecipeBytes    largest recipe.yaml accepted, at most {@link RecipeParser#MAX_BYTES}, the
 *                          parser's own hard limit (verdant.ingest.max-recipe-bytes)
 * @param workDir           where uploads are downloaded for inspection (deleted after each job)
 */
public record IngestSettings(String bucket, long maxModelBytes, long maxTokenizerBytes, long maxRecipeBytes,
        Path workDir) {

    public IngestSettings {
        if (maxModelBytes < 1 || maxTokenizerBytes < 1) {
            throw new IllegalArgumentException("size limits must be positive: model " + maxModelBytes
                    + ", tokenizer " + maxTokenizerBytes);
        }
        if (maxModelBytes > OnnxGraphs.PROTOBUF_MAX_BYTES) {
            // One protobuf message holds at most 2 GiB - 1; bigger models need external data, which is refused.
            throw new IllegalArgumentException("verdant.ingest.max-model-bytes must be at most "
                    + OnnxGraphs.PROTOBUF_MAX_BYTES + " (the largest ONNX file without external data), was "
                    + maxModelBytes);
        }
        if (maxRecipeBytes < 1 || maxRecipeBytes > RecipeParser.MAX_BYTES) {
            throw new IllegalArgumentException("verdant.ingest.max-recipe-bytes must be in 1.." + RecipeParser.MAX_BYTES
                    + " (the recipe parser's own limit), was " + maxRecipeBytes);
        }
    }

    /** With the recipe limit at the parser's maximum. */
    public IngestSettings(String bucket, long maxModelBytes, long maxTokenizerBytes, Path workDir) {
        this(bucket, maxModelBytes, maxTokenizerBytes, RecipeParser.MAX_BYTES, workDir);
    }
}
