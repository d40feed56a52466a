package dev.verdant.onnx.testing;

import java.util.ArrayList;
import java.util.List;

/**
 * A HuggingFace tokenizer.json for the tiny models of {@link TinyBertBuilder}: BERT's layout
 * (BertNormalizer, BertPreTokenizer, [CLS] ... [SEP] template, WordPiece) with exactly
 * {@code vocabularySize} entries, so its ids fit the model's embedding table. The vocabulary is
 * the five special tokens, the letters a-z, then "##" continuations and filler words.
 */
public final class WordPieceTokenizerJson {
    private static final List<String> SPECIAL = List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]");

    private WordPieceTokenizerJson() {
    }

    public static String of(int vocabularySize) {
        if (vocabularySize < SPECIAL.size() + 26) {
            throw new IllegalArgumentException("a WordPiece vocabulary needs at least " + (SPECIAL.size() + 26)
                    + " entries (special tokens and a-z), got " + vocabularySize);
        }
        List<String> vocab = new ArrayList<>(SPECIAL);
        for (char c = 'a'; c <= 'z'; c++) {
            vocab.add(String.valueOf(c));
        }
        for (char c = 'a'; c <= 'z' && vocab.size() < vocabularySize; c++) {
            vocab.add("##" + c);
        }
        for (int i = 0; vocab.size() < vocabularySize; i++) {
            vocab.add("w" + i);
        }
        StringBuilder entries = new StringBuilder();
        for (int id = 0; id < vocab.size(); id++) {
            entries.append(id == 0 ? "" : ",").append('"').append(vocab.get(id)).append("\":").append(id);
        }
        StringBuilder added = new StringBuilder();
        for (int id = 0; id < SPECIAL.size(); id++) {
            added.append(id == 0 ? "" : ",").append("{\"id\":").append(id).append(",\"content\":\"").append(SPECIAL.get(id))
                    .append("\",\"single_word\":false,\"lstrip\":false,\"rstrip\":false,\"normalized\":false,\"special\":true}");
        }
        return """
                {"version":"1.0","truncation":null,"padding":null,"added_tokens":[%s],
                 "normalizer":{"type":"BertNormalizer","clean_text":true,"handle_chinese_chars":true,"strip_accents":null,"lowercase":true},
                 "pre_tokenizer":{"type":"BertPreTokenizer"},
                 "post_processor":{"type":"TemplateProcessing",
                   "single":[{"SpecialToken":{"id":"[CLS]","type_id":0}},{"Sequence":{"id":"A","type_id":0}},{"SpecialToken":{"id":"[SEP]","type_id":0}}],
                   "pair":[{"SpecialToken":{"id":"[CLS]","type_id":0}},{"Sequence":{"id":"A","type_id":0}},{"SpecialToken":{"id":"[SEP]","type_id":0}},{"Sequence":{"id":"B","type_id":1}},{"SpecialToken":{"id":"[SEP]","type_id":1}}],
                   "special_tokens":{"[CLS]":{"id":"[CLS]","ids":[2],"tokens":["[CLS]"]},"[SEP]":{"id":"[SEP]","ids":[3],"tokens":["[SEP]"]}}},
                 "decoder":{"type":"WordPiece","prefix":"##","cleanup":true},
                 "model":{"type":"WordPiece","unk_token":"[UNK]","continuing_subword_prefix":"##","max_input_chars_per_word":100,
                   "vocab":{%s}}}
                """.formatted(added, entries);
    }
}
