package dev.verdant.distillation;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * DJL's HuggingFace tokenizer over the model's tokenizer.json, set up like the evaluation's:
 * special tokens added, truncation at {@code maxLength}, no padding here (batches pad to their
 * longest sentence: MiniLM's file asks for Fixed(128), 8-10x the compute for the same vectors).
 */
final class SentenceTokens {

    private SentenceTokens() {
    }

    static List<Batch.TokenizedSentence> tokenize(Path tokenizerJson, List<String> sentences, int maxLength)
            throws IOException {
        DjlSettings.configure();
        Map<String, String> options = Map.of(
                "addSpecialTokens", "true",
                "padding", "false",
                "truncation", "true",
                "maxLength", Integer.toString(maxLength),
                "modelMaxLength", Integer.toString(maxLength));
        // From a stream: given a path DJL also reads a tokenizer_config.json beside it.
        try (InputStream in = Files.newInputStream(tokenizerJson);
             HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(in, options)) {
            List<Batch.TokenizedSentence> out = new ArrayList<>(sentences.size());
            for (String sentence : sentences) {
                Encoding encoding = tokenizer.encode(sentence);
                out.add(new Batch.TokenizedSentence(encoding.getIds(), encoding.getTypeIds()));
            }
            return out;
        }
    }
}
