package dev.verdant.evaluation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.verdant.events.EventJson;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * The ids a HuggingFace tokenizer.json can produce, read from the file itself so that a tokenizer
 * that does not belong to the model is caught before anything runs: every id must index a row of
 * the model's word-embedding table, or ONNX Runtime fails inside Gather (or, worse, a model
 * without bounds checks reads garbage).
 *
 * <p>The largest id is the maximum over {@code model.vocab} (an object token to id for WordPiece,
 * BPE and WordLevel; a list of [piece, score] for Unigram, whose ids are the positions) and
 * {@code added_tokens[].id}.
 *
 * <p>It also gives the padding token, since Verdant pads batches itself (see SentenceTokenizer):
 * {@code padding.pad_id} and {@code padding.pad_type_id} when the file configures padding, else
 * the id of "[PAD]" (BERT's), else 0. Padded positions are masked out of attention and pooling,
 * so the choice cannot change an embedding; it only keeps the tensors what the tokenizer would make.
 *
 * @param maxId     the largest id the tokenizer can emit; empty when the file does not list its
 *                  vocabulary in a form read here (the per-batch check still applies)
 * @param padId     token id of padding
 * @param padTypeId token type id of padding
 */
record TokenizerVocabulary(OptionalLong maxId, long padId, long padTypeId) {

    static TokenizerVocabulary read(Path file) throws EvaluationFailure {
        byte[] bytes;
        try {
            if (Files.isDirectory(file)) {
                throw new EvaluationFailure(FailureReason.TOKENIZER_UNREADABLE, "'" + file + "' is a directory; pass"
                        + " the tokenizer.json file itself.");
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new EvaluationFailure(FailureReason.TOKENIZER_UNREADABLE, "There is no tokenizer file at '" + file
                    + "'. Pass the model's tokenizer.json (HuggingFace tokenizers format).");
        } catch (IOException e) {
            throw new EvaluationFailure(FailureReason.TOKENIZER_UNREADABLE, "Could not read the tokenizer '" + file
                    + "': " + e.getMessage());
        }
        JsonNode root;
        try {
            root = EventJson.mapper().readTree(bytes);
        } catch (JsonProcessingException e) {
            throw new EvaluationFailure(FailureReason.TOKENIZER_MALFORMED, "The tokenizer '" + file.getFileName()
                    + "' is not valid JSON (" + e.getOriginalMessage() + " at line " + e.getLocation().getLineNr()
                    + "). Pass the model's tokenizer.json (HuggingFace tokenizers format).");
        } catch (IOException e) {
            throw new EvaluationFailure(FailureReason.TOKENIZER_UNREADABLE, "Could not read the tokenizer '" + file
                    + "': " + e.getMessage());
        }
        if (root == null || !root.isObject() || !root.path("model").isObject()) {
            throw new EvaluationFailure(FailureReason.TOKENIZER_MALFORMED, "'" + file.getFileName() + "' is JSON but"
                    + " not a HuggingFace tokenizer.json: it has no \"model\" object. Pass the tokenizer.json saved"
                    + " with the model (tokenizer.save() in Python).");
        }
        return new TokenizerVocabulary(largestId(root), padId(root), root.path("padding").path("pad_type_id").asLong(0));
    }

    private static long padId(JsonNode root) {
        JsonNode configured = root.path("padding").path("pad_id");
        if (configured.canConvertToLong()) {
            return configured.asLong();
        }
        JsonNode inVocabulary = root.path("model").path("vocab").path("[PAD]");
        if (inVocabulary.canConvertToLong()) {
            return inVocabulary.asLong();
        }
        for (JsonNode added : root.path("added_tokens")) {
            if ("[PAD]".equals(added.path("content").asText()) && added.path("id").canConvertToLong()) {
                return added.path("id").asLong();
            }
        }
        return 0;
    }

    private static OptionalLong largestId(JsonNode root) {
        long max = -1;
        JsonNode vocab = root.path("model").path("vocab");
        if (vocab.isObject()) {
            for (JsonNode id : (Iterable<JsonNode>) vocab::elements) {
                if (id.canConvertToLong()) {
                    max = Math.max(max, id.asLong());
                }
            }
        } else if (vocab.isArray()) {
            max = vocab.size() - 1L;
        } else {
            return OptionalLong.empty();
        }
        for (JsonNode added : root.path("added_tokens")) {
            if (added.path("id").canConvertToLong()) {
                max = Math.max(max, added.path("id").asLong());
            }
        }
        return max < 0 ? OptionalLong.empty() : OptionalLong.of(max);
    }
}
