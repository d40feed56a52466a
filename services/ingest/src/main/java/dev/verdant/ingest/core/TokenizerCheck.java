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

    /**
     * A readable tokenizer: its model type (WordPiece, BPE, Unigram) and the highest token id + 1 it
     * can emit. A long: a hostile file may declare an id of 2^31 - 1, and + 1 must not wrap.
     */
    record Vocabulary(String modelType, long size) {
    }

    private TokenizerCheck() {
    }

    /** @return the vocabulary, or empty when the file is not a tokenizer.json */
    static Optional<Vocabulary> read(Path file) {
        String type = null;
        long vocab = -1;
        long maxAddedId = -1;
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

    /**
     * Token ids a vocabulary can emit: a JSON object (WordPiece/BPE: token to id) emits up to its
     * highest id, which must not be below its entry count; an array (Unigram: [token, score]) one id
     * per entry. A negative or non-integer id makes it unreadable (-1).
     */
    private static long countEntries(JsonParser p) throws IOException {
        JsonToken start = p.currentToken();
        if (start != JsonToken.START_OBJECT && start != JsonToken.START_ARRAY) {
            p.skipChildren();
            return -1;
        }
        JsonToken end = start == JsonToken.START_OBJECT ? JsonToken.END_OBJECT : JsonToken.END_ARRAY;
        long count = 0;
        long maxId = -1;
        for (JsonToken t = p.nextToken(); t != end; t = p.nextToken()) {
            if (t == JsonToken.FIELD_NAME) {
                if (p.nextToken() == JsonToken.VALUE_NUMBER_INT) {
                    long id = p.getLongValue();
                    if (id < 0) {
                        return -1;
                    }
                    maxId = Math.max(maxId, id);
                }
            }
            p.skipChildren();
            count++;
        }
        return Math.max(count, maxId + 1);
    }

    private static long maxAddedTokenId(JsonParser p) throws IOException {
        long max = -1;
        while (p.nextToken() == JsonToken.START_OBJECT) {
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                if ("id".equals(field) && p.currentToken() == JsonToken.VALUE_NUMBER_INT) {
                    max = Math.max(max, p.getLongValue());
                } else {
                    p.skipChildren();
                }
            }
        }
        return max;
    }
}
