package dev.verdant.pruning.service.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.verdant.onnx.testing.TinyBertBuilder;
import dev.verdant.variants.MakeRequest;
import dev.verdant.variants.MakeResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The prune step as the shared core calls it, on a tiny BERT-shaped model. */
class PruningMakerTest {
    @TempDir
    Path dir;

    private final PruningMaker maker = new PruningMaker();

    private MakeResult make(Path input, Map<String, Object> params) throws Exception {
        return maker.make(new MakeRequest(null, "v", params, input, dir.resolve("tokenizer.json"),
                dir.resolve("out.onnx"), dir));
    }

    @ParameterizedTest
    @CsvSource({"ffn, 0.5", "heads, 0.25", "lowrank, 0.5", "unstructured, 0.5"})
    void eachMethodWritesASmallerModelAndSaysWhatItDid(String method, double amount) throws Exception {
        Path input = TinyBertBuilder.tiny().layers(2).hidden(32).heads(4).ffn(64).vocabulary(100).maxPositions(32)
                .writeTo(dir.resolve("in.onnx"));

        MakeResult result = make(input, Map.of("method", method, "amount", amount));

        assertThat(result).isInstanceOf(MakeResult.Made.class);
        MakeResult.Made made = (MakeResult.Made) result;
        if (!method.equals("unstructured")) { // stored values + indices: as many elements at 50%, fewer bytes
            assertThat((Long) made.parameters().get("parametersAfter")).isLessThan((Long) made.parameters()
                    .get("parametersBefore"));
        }
        assertThat(made.notes()).first().asString().contains(method);
        assertThat(Files.size(dir.resolve("out.onnx"))).isLessThan(Files.size(input));
    }

    @Test
    void aCorruptModelIsAFailureWithThePrunersReason() throws Exception {
        Path input = Files.writeString(dir.resolve("in.onnx"), "garbage");
        assertThat(make(input, Map.of("method", "ffn", "amount", 0.25))).isInstanceOfSatisfying(MakeResult.Failed.class,
                f -> assertThat(f.reason()).isEqualTo("CORRUPT_INPUT"));
    }

    @Test
    void badParamsAreRefusedBeforeAnythingIsDownloaded() {
        assertThatThrownBy(() -> maker.check(Map.of("method", "magic", "amount", 0.5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("magic");
        assertThatThrownBy(() -> maker.check(Map.of("method", "ffn", "amount", 1.5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("amount");
    }
}
