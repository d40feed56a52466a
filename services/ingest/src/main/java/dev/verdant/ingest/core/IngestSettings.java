package dev.verdant.ingest.core;

import java.nio.file.Path;

/**
 * What ingest accepts and where it works.
 *
 * @param bucket            the Verdant bucket
 * @param maxModelBytes     largest model accepted; refused from its listed size, before download
 * @param maxTokenizerBytes largest tokenizer.json accepted (BERT's is 0.7 MB, multilingual ones ~17 MB)
 * @param workDir           where uploads are downloaded for inspection (deleted after each job)
 */
public record IngestSettings(String bucket, long maxModelBytes, long maxTokenizerBytes, Path workDir) {
    public IngestSettings {
        if (maxModelBytes < 1 || maxTokenizerBytes < 1) {
            throw new IllegalArgumentException("size limits must be positive: model " + maxModelBytes
                    + ", tokenizer " + maxTokenizerBytes);
        }
    }
}
