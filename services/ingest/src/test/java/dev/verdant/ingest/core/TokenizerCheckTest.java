package dev.verdant.ingest.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizerCheckTest {
    @TempDir
    Path dir;

    private Path file(String content) throws IOException {
        return Files.writeString(dir.resolve("tokenizer.json"), content);
    }

    @Test
    void wordPieceVocabularyIsCounted() throws IOException {
        Path f = file("""
                {"version":"1.0","added_tokens":[{"id":0,"content":"[PAD]"}],"normalizer":{"type":"BertNormalizer"},
                 "model":{"type":"WordPiece","unk_token":"[UNK]","vocab":{"[PAD]":0,"[UNK]":1,"a":2,"b":3}}}
                """);
        assertThat(TokenizerCheck.read(f)).contains(new TokenizerCheck.Vocabulary("WordPiece", 4L));
    }

    @Test
    void unigramVocabularyIsAListAndAddedTokensBeyondItCount() throws IOException {
        Path f = file("""
                {"model":{"type":"Unigram","vocab":[["<pad>",0.0],["a",-1.5],["b",-2.0]]},
                 "added_tokens":[{"id":9,"content":"<mask>"}]}
                """);
        assertThat(TokenizerCheck.read(f)).contains(new TokenizerCheck.Vocabulary("Unigram", 10L));
    }

    @Test
    void filesThatAreNotTokenizersAreNotAccepted() throws IOException {
        assertThat(TokenizerCheck.read(file(""))).isEmpty();
        assertThat(TokenizerCheck.read(file("[1,2,3]"))).isEmpty();
        assertThat(TokenizerCheck.read(file("{\"model\":{\"type\":\"WordPiece\"}}"))).isEmpty();
        assertThat(TokenizerCheck.read(file("{\"model\":{\"vocab\":{\"a\":0}"))).isEmpty();
        assertThat(TokenizerCheck.read(file("\u0000\u0001garbage"))).isEmpty();
    }
}
