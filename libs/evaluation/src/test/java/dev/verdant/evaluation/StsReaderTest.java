package dev.verdant.evaluation;

import dev.verdant.evaluation.StsReader.Invalid;
import dev.verdant.evaluation.StsReader.Loaded;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class StsReaderTest {

    @TempDir
    Path dir;

    @Test
    void readsTheBuiltInSplits() {
        for (StsSplit split : StsSplit.values()) {
            StsDataset data = loaded(StsReader.builtIn(split));
            assertThat(data.pairs()).hasSize(split.pairs());
            assertThat(data.name()).isEqualTo(split.datasetName());
        }
        StsDataset test = loaded(StsReader.builtIn(StsSplit.TEST));
        assertThat(test.sha256()).isEqualTo("75c745693e674dd09b627096c223b53798a63290e8de3366db436c43bee02849");
        assertThat(test.pairs().get(0)).isEqualTo(new StsPair(2.5, "A girl is styling her hair.",
                "A girl is brushing her hair."));
        assertThat(test.firstPairs(10).pairs()).hasSize(10);
        assertThat(test.firstPairs(10).sha256()).isEqualTo(test.sha256());
        assertThat(test.firstPairs(0).pairs()).hasSize(1379);
    }

    @Test
    void sentencesAreReadPairByPairUpToTheCount() {
        StsDataset data = new StsDataset("t", "0", java.util.List.of(new StsPair(1, "a", "b"), new StsPair(2, "c", "d")));
        assertThat(data.sentences(3)).containsExactly("a", "b", "c");
        assertThat(data.sentences(10)).containsExactly("a", "b", "c", "d");
        assertThat(data.sentences(0)).isEmpty();
    }

    @Test
    void headerIsOptionalAndLineEndingsAreForgiven() throws IOException {
        StsDataset withHeader = loaded(StsReader.read(write("score\tsentence1\tsentence2\n1.5\ta \"quoted\" b\tc\n")));
        StsDataset without = loaded(StsReader.read(write("1.5\ta \"quoted\" b\tc\r\n4\td\te\n\n")));

        assertThat(withHeader.pairs()).containsExactly(new StsPair(1.5, "a \"quoted\" b", "c"));
        assertThat(without.pairs()).containsExactly(new StsPair(1.5, "a \"quoted\" b", "c"), new StsPair(4, "d", "e"));
        assertThat(without.name()).isEqualTo("data.tsv");
    }

    @Test
    void wrongColumnCountNamesTheLine() throws IOException {
        Invalid invalid = invalid(StsReader.read(write("score\tsentence1\tsentence2\n1\ta\tb\n2\tonly one sentence\n")));

        assertThat(invalid.reason()).isEqualTo(FailureReason.DATASET_MALFORMED);
        assertThat(invalid.message()).contains("data.tsv").contains("line 3 has 2 tab-separated fields, not 3");
    }

    @Test
    void tooManyColumns() throws IOException {
        Invalid invalid = invalid(StsReader.read(write("1\ta\tb\tc\n")));

        assertThat(invalid.message()).contains("line 1 has 4 tab-separated fields");
    }

    @Test
    void nonNumericScore() throws IOException {
        Invalid invalid = invalid(StsReader.read(write("1\ta\tb\nhigh\tc\td\n")));

        assertThat(invalid.reason()).isEqualTo(FailureReason.DATASET_MALFORMED);
        assertThat(invalid.message()).contains("line 2 has the score 'high', which is not a number");
    }

    @Test
    void nonFiniteScore() throws IOException {
        assertThat(invalid(StsReader.read(write("NaN\ta\tb\n"))).message()).contains("not finite");
    }

    @Test
    void blankLineInTheMiddle() throws IOException {
        assertThat(invalid(StsReader.read(write("1\ta\tb\n\n2\tc\td\n"))).message()).contains("line 2 is empty");
    }

    @Test
    void emptyFileAndHeaderOnly() throws IOException {
        Invalid empty = invalid(StsReader.read(write("")));
        Invalid headerOnly = invalid(StsReader.read(write("score\tsentence1\tsentence2\n")));

        assertThat(empty.reason()).isEqualTo(FailureReason.DATASET_EMPTY);
        assertThat(empty.message()).contains("it is empty");
        assertThat(headerOnly.reason()).isEqualTo(FailureReason.DATASET_EMPTY);
        assertThat(headerOnly.message()).contains("only a header");
    }

    @Test
    void notUtf8() throws IOException {
        Path file = Files.write(dir.resolve("latin1.tsv"), "1\tcaf\u00e9\tb\n".getBytes(StandardCharsets.ISO_8859_1));

        assertThat(invalid(StsReader.read(file)).message()).contains("not UTF-8");
    }

    @Test
    void missingFile() {
        Invalid invalid = invalid(StsReader.read(dir.resolve("nowhere.tsv")));

        assertThat(invalid.reason()).isEqualTo(FailureReason.DATASET_UNREADABLE);
        assertThat(invalid.message()).contains("nowhere.tsv");
    }

    private Path write(String content) throws IOException {
        return Files.writeString(dir.resolve("data.tsv"), content);
    }

    private static StsDataset loaded(StsReader.Result result) {
        assertThat(result).isInstanceOf(Loaded.class);
        return ((Loaded) result).dataset();
    }

    private static Invalid invalid(StsReader.Result result) {
        assertThat(result).isInstanceOf(Invalid.class);
        return (Invalid) result;
    }
}
