package dev.verdant.ingest.core;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Reads just enough of a HuggingFace tokenizer.json to know it is one and how many tokens it can
 * produce: the entries of {@code model.vocab} plus {@code added_tokens}. Streaming, so a large or
 * hostile file costs no memory.
 */
final class TokenizerCheck {
    private static final JsonFactory JSON = new JsonFactory();

    /** A readable tokenizer: its model type (WordPiece, BPE, Unigram) and the highest token id + 1 it can emit. */
    record Vocabulary(String modelType, int size) {
    }

    private TokenizerCheck() {
    }

    /** @return the vocabulary, or empty when the file is not a tokenizer.json */
    static Optional<Vocabulary> read(Path file) {
        String type = null;
        int vocab = -1;
        int maxAddedId = -1;
        try (JsonParser p = JSON.createParser(file.toFile())) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return Optional.empty();
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                if ("model".equals(field) && p.currentToken() == JsonToken.START_OBJECT) {
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String modelField = p.currentName();
                        JsonToken value = p.nextToken();
                        if ("type".equals(modelField) && value == JsonToken.VALUE_STRING) {
                            type = p.getText();
                        } else if ("vocab".equals(modelField)) {
                            vocab = countEntries(p);
                        } else {
                            p.skipChildren();
                        }
                    }
                } else if ("added_tokens".equals(field) && p.currentToken() == JsonToken.START_ARRAY) {
                    maxAddedId = maxAddedTokenId(p);
                } else {
                    p.skipChildren();
                }
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        if (vocab <= 0) {
            return Optional.empty();
        }
        return Optional.of(new Vocabulary(type == null ? "unknown" : type, Math.max(vocab, maxAddedId + 1)));
    }

    /** Entries of a JSON object (WordPiece/BPE: token to id) or array (Unigram: [token, score]). */
    private static int countEntries(JsonParser p) throws IOException {
        JsonToken start = p.currentToken();
        if (start != JsonToken.START_OBJECT && start != JsonToken.START_ARRAY) {
            p.skipChildren();
            return -1;
        }
        JsonToken end = start == JsonToken.START_OBJECT ? JsonToken.END_OBJECT : JsonToken.END_ARRAY;
        int count = 0;
        for (JsonToken t = p.nextToken(); t != end; t = p.nextToken()) {
            if (t == JsonToken.FIELD_NAME) {
                p.nextToken();
            }
            p.skipChildren();
            count++;
        }
        return count;
    }

    private static int maxAddedTokenId(JsonParser p) throws IOException {
        int max = -1;
        while (p.nextToken() == JsonToken.START_OBJECT) {
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                if ("id".equals(field) && p.currentToken() == JsonToken.VALUE_NUMBER_INT) {
                    max = Math.max(max, p.getIntValue());
                } else {
                    p.skipChildren();
                }
            }
        }
        return max;
    }
}
