package dev.verdant.evaluation;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** all-MiniLM-L6-v2's own tokenizer.json, which asks for Fixed(128) padding: Verdant pads to the longest. */
class SentenceTokenizerTest {

    @TempDir
    static Path dir;
    static Path miniLm;

    @BeforeAll
    static void extract() throws IOException {
        miniLm = MiniLmFiles.extract(MiniLmFiles.FP32_TOKENIZER, dir);
        int fixed = dev.verdant.events.EventJson.readTree(Files.readAllBytes(miniLm))
                .path("padding").path("strategy").path("Fixed").asInt();
        assertThat(fixed).as("the file's own padding").isEqualTo(128);
    }

    @Test
    void padsToTheLongestSentenceOfTheBatchNotTo128() throws Exception {
        try (SentenceTokenizer tokenizer = open(miniLm, 128)) {
            TokenizedBatch batch = tokenizer.tokenize(List.of("A man.", "A man is playing a guitar."));

            // [CLS] a man is playing a guitar . [SEP] = 9; "A man." = [CLS] a man . [SEP] = 5, then 4 x [PAD]
            assertThat(batch.size()).isEqualTo(2);
            assertThat(batch.length()).isEqualTo(9);
            assertThat(Arrays.copyOfRange(batch.mask(), 0, 9)).containsExactly(1, 1, 1, 1, 1, 0, 0, 0, 0);
            assertThat(Arrays.copyOfRange(batch.mask(), 9, 18)).containsOnly(1);
            assertThat(batch.ids()[0]).isEqualTo(101); // [CLS]
            assertThat(batch.ids()[4]).isEqualTo(102); // [SEP]
            assertThat(Arrays.copyOfRange(batch.ids(), 5, 9)).containsOnly(0); // [PAD]
            assertThat(batch.types()).containsOnly(0);
        }
    }

    @Test
    void truncatesToTheMaxLengthKeepingSep() throws Exception {
        try (SentenceTokenizer tokenizer = open(miniLm, 6)) {
            TokenizedBatch batch = tokenizer.tokenize(List.of("one two three four five six seven eight nine ten"));

            assertThat(batch.length()).isEqualTo(6);
            assertThat(batch.ids()[0]).isEqualTo(101);
            assertThat(batch.ids()[5]).isEqualTo(102);
        }
    }

    @Test
    void readsTheLargestIdAndThePaddingFromTheFile() throws Exception {
        TokenizerVocabulary vocabulary = TokenizerVocabulary.read(miniLm);

        // bert-base-uncased's vocabulary: 30522 entries, ids 0..30521; padding.pad_id 0.
        assertThat(vocabulary.maxId()).hasValue(30521);
        assertThat(vocabulary.padId()).isZero();
        assertThat(vocabulary.padTypeId()).isZero();
    }

    @Test
    void withoutPaddingSettingsThePadTokenIsPadded() throws Exception {
        Path file = Files.writeString(dir.resolve("pad-at-7.json"), "{\"padding\": null, \"added_tokens\": [],"
                + " \"model\": {\"type\": \"WordPiece\", \"vocab\": {\"a\": 0, \"[PAD]\": 7, \"b\": 9}}}");

        TokenizerVocabulary vocabulary = TokenizerVocabulary.read(file);

        assertThat(vocabulary.padId()).isEqualTo(7);
        assertThat(vocabulary.maxId()).hasValue(9);
    }

    private static SentenceTokenizer open(Path file, int maxLength) throws EvaluationFailure {
        return SentenceTokenizer.open(file, maxLength, TokenizerVocabulary.read(file));
    }

    @Test
    void aBrokenTokenizerIsMalformed() throws IOException {
        Path broken = Files.writeString(dir.resolve("broken.json"), "{\"model\": {\"type\": \"WordPiece\", \"vocab\": 3}}");

        try {
            open(broken, 128).close();
            org.junit.jupiter.api.Assertions.fail("a tokenizer.json the library cannot load was accepted");
        } catch (EvaluationFailure failure) {
            assertThat(failure.reason()).isEqualTo(FailureReason.TOKENIZER_MALFORMED);
            assertThat(failure.getMessage()).contains("broken.json");
        }
    }
}
