package dev.verdant.onnx.testing;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A HuggingFace tokenizer.json for the tiny models of {@link TinyBertBuilder}, in BERT's layout
 * (BertNormalizer lower-casing, BertPreTokenizer, [CLS] A [SEP] template, WordPiece) with exactly
 * {@code vocabularySize} entries, so that its ids index the embedding table of a model of that
 * vocabulary. Entries: [PAD] [UNK] [CLS] [SEP] [MASK], a-z, ##a-##z, digits, punctuation, then
 * the most frequent words of the given sentences (ties alphabetical), then fillers. Every word is
 * thus tokenizable: unknown words fall back to letters.
 */
public final class WordPieceTokenizerJson {

    public static final List<String> SPECIAL = List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]");

    private WordPieceTokenizerJson() {
    }

    /** A tokenizer whose vocabulary holds the basic entries and fillers. */
    public static String of(int vocabularySize) {
        return of(vocabularySize, List.of());
    }

    /** A tokenizer whose vocabulary also holds the most frequent words of {@code sentences}. */
    public static String of(int vocabularySize, List<String> sentences) {
        return json(vocabulary(vocabularySize, sentences));
    }

    public static List<String> vocabulary(int size, List<String> sentences) {
        Set<String> vocab = new LinkedHashSet<>(SPECIAL);
        for (char c = 'a'; c <= 'z'; c++) {
            vocab.add(String.valueOf(c));
        }
        for (char c = 'a'; c <= 'z'; c++) {
            vocab.add("##" + c);
        }
        for (char c = '0'; c <= '9'; c++) {
            vocab.add(String.valueOf(c));
            vocab.add("##" + c);
        }
        for (String mark : List.of(".", ",", "'", "\"", "!", "?", "-", ":", ";", "(", ")", "%", "$", "&", "/")) {
            vocab.add(mark);
        }
        if (vocab.size() > size) {
            throw new IllegalArgumentException("a vocabulary of " + size + " cannot hold the " + vocab.size()
                    + " basic entries");
        }
        Map<String, Integer> counts = new TreeMap<>();
        for (String sentence : sentences) {
            for (String word : sentence.toLowerCase(Locale.ROOT).split("[^a-z]+")) {
                if (word.length() > 1) {
                    counts.merge(word, 1, Integer::sum);
                }
            }
        }
        counts.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder())
                        .thenComparing(Map.Entry.comparingByKey()))
                .map(Map.Entry::getKey)
                .takeWhile(word -> vocab.size() < size)
                .forEach(vocab::add);
        for (int i = 0; vocab.size() < size; i++) {
            vocab.add("filler" + i);
        }
        return new ArrayList<>(vocab);
    }

    private static String json(List<String> vocab) {
        StringBuilder entries = new StringBuilder();
        for (int id = 0; id < vocab.size(); id++) {
            String token = vocab.get(id).replace("\\", "\\\\").replace("\"", "\\\"");
            entries.append(id == 0 ? "" : ",").append('"').append(token).append("\":").append(id);
        }
        StringBuilder added = new StringBuilder();
        for (int id = 0; id < SPECIAL.size(); id++) {
            added.append(id == 0 ? "" : ",").append("{\"id\":").append(id).append(",\"content\":\"")
                    .append(SPECIAL.get(id)).append("\",\"single_word\":false,\"lstrip\":false,\"rstrip\":false,"
                            + "\"normalized\":false,\"special\":true}");
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
