package dev.verdant.pruning.service.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.verdant.onnx.OnnxGraphs;
import dev.verdant.onnx.testing.TinyBertBuilder;
import dev.verdant.onnx.testing.WordPieceTokenizerJson;
import dev.verdant.variants.MakeRequest;
import dev.verdant.variants.MakeResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The prune step as the shared core calls it, on a tiny BERT-shaped model with a WordPiece tokenizer. */
class PruningMakerTest {
    @TempDir
    Path dir;

    private final PruningMaker maker = new PruningMaker(40);

    @BeforeEach
    void tokenizer() throws Exception {
        Files.writeString(dir.resolve("tokenizer.json"), WordPieceTokenizerJson.of(100));
    }

    private Path tiny() throws Exception {
        return TinyBertBuilder.tiny().layers(2).hidden(32).heads(4).ffn(64).vocabulary(100).maxPositions(32)
                .writeTo(dir.resolve("in.onnx"));
    }

    private MakeResult make(PruningMaker with, Path input, Map<String, Object> params) throws Exception {
        return with.make(new MakeRequest(null, "v", params, input, dir.resolve("tokenizer.json"),
                dir.resolve("out.onnx"), dir));
    }

    private Map<String, String> metadata() throws Exception {
        return OnnxGraphs.read(dir.resolve("out.onnx")).getMetadataPropsList().stream()
                .collect(Collectors.toMap(e -> e.getKey(), e -> e.getValue()));
    }

    @ParameterizedTest
    @CsvSource({"ffn, 0.5, activations", "heads, 0.25, activations", "lowrank, 0.5, svd", "unstructured, 0.5, wanda"})
    void eachMethodWritesASmallerModelAndSaysWhatItDid(String method, double amount, String criterion) throws Exception {
        Path input = tiny();

        MakeResult result = make(maker, input, Map.of("method", method, "amount", amount));

        assertThat(result).isInstanceOf(MakeResult.Made.class);
        MakeResult.Made made = (MakeResult.Made) result;
        if (!method.equals("unstructured")) { // stored values + indices: as many elements at 50%, fewer bytes
            assertThat((Long) made.parameters().get("parametersAfter")).isLessThan((Long) made.parameters()
                    .get("parametersBefore"));
        }
        assertThat(made.notes()).first().asString().contains(method);
        assertThat(Files.size(dir.resolve("out.onnx"))).isLessThan(Files.size(input));
        // calibrated by default on STS-B train (lowrank never is), and the variant says so
        assertThat(made.parameters()).containsEntry("criterion", criterion);
        assertThat(metadata()).containsEntry("verdant.criterion", criterion);
        if (method.equals("lowrank")) {
            assertThat(made.parameters()).doesNotContainKey("calibration");
            assertThat(metadata()).doesNotContainKey("verdant.calibration");
        } else {
            assertThat((String) made.parameters().get("calibration")).startsWith("STS-B train, first 40 sentences; ")
                    .endsWith(" tokens");
            assertThat(metadata()).containsEntry("verdant.calibration", (String) made.parameters().get("calibration"));
        }
    }

    @Test
    void withoutCalibrationTheWeightsAloneRankTheUnits() throws Exception {
        MakeResult result = make(new PruningMaker(0), tiny(), Map.of("method", "unstructured", "amount", 0.5));
        assertThat(result).isInstanceOfSatisfying(MakeResult.Made.class, made -> {
            assertThat(made.parameters()).containsEntry("criterion", "magnitude").doesNotContainKey("calibration");
        });
    }

    @Test
    void calibrationChangesWhichUnitsGo() throws Exception {
        Path input = tiny();
        String weight = "encoder.layer.0.intermediate.dense.weight";
        make(maker, input, Map.of("method", "unstructured", "amount", 0.5));
        float[] wanda = weight(weight);
        make(new PruningMaker(0), input, Map.of("method", "unstructured", "amount", 0.5));
        float[] magnitude = weight(weight);
        int differ = 0;
        for (int i = 0; i < wanda.length; i++) {
            differ += (wanda[i] == 0) != (magnitude[i] == 0) ? 1 : 0;
        }
        assertThat(differ).as("weights zeroed by one criterion and not the other").isGreaterThan(10);
    }

    private float[] weight(String name) throws Exception {
        return dev.verdant.pruning.Pruner.densify(OnnxGraphs.read(dir.resolve("out.onnx"))).getGraph().getInitializerList()
                .stream().filter(t -> t.getName().equals(name)).findFirst().map(dev.verdant.onnx.Tensors::toFloats)
                .orElseThrow();
    }

    @Test
    void aRunWithoutItsTokenizerCannotBeCalibrated() throws Exception {
        Path input = tiny();
        Files.delete(dir.resolve("tokenizer.json"));
        assertThat(make(maker, input, Map.of("method", "ffn", "amount", 0.25)))
                .isInstanceOfSatisfying(MakeResult.Failed.class, f -> {
                    assertThat(f.reason()).isEqualTo("INVALID_CALIBRATION");
                    assertThat(f.message()).contains("tokenizer.json");
                });
    }

    @Test
    void aCorruptModelIsAFailureWithThePrunersReason() throws Exception {
        Path input = Files.writeString(dir.resolve("in.onnx"), "garbage");
        assertThat(make(maker, input, Map.of("method", "ffn", "amount", 0.25))).isInstanceOfSatisfying(MakeResult.Failed.class,
                f -> assertThat(f.reason()).isEqualTo("CORRUPT_INPUT"));
    }

    @Test
    void badParamsAreRefusedBeforeAnythingIsDownloaded() {
        assertThatThrownBy(() -> maker.check(Map.of("method", "magic", "amount", 0.5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("magic");
        assertThatThrownBy(() -> maker.check(Map.of("method", "ffn", "amount", 1.5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("amount");
        assertThatThrownBy(() -> new PruningMaker(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("0 (no calibration)");
    }
}
