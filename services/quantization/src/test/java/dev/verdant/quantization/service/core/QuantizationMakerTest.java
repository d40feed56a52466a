package dev.verdant.quantization.service.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.verdant.onnx.OnnxGraphs;
import dev.verdant.onnx.testing.TinyBertBuilder;
import dev.verdant.variants.MakeRequest;
import dev.verdant.variants.MakeResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The quantize step as the shared core calls it, on a tiny BERT-shaped model. */
class QuantizationMakerTest {
    @TempDir
    Path dir;

    private final QuantizationMaker maker = new QuantizationMaker();

    private MakeRequest request(Path input, Map<String, Object> params) {
        return new MakeRequest(null, "v", params, input, dir.resolve("tokenizer.json"), dir.resolve("out.onnx"), dir);
    }

    @Test
    void writesTheQuantizedModelAndRecordsWhatWasApplied() throws Exception {
        Path input = TinyBertBuilder.tiny().layers(2).hidden(32).heads(4).ffn(64).vocabulary(100).maxPositions(32)
                .writeTo(dir.resolve("in.onnx"));

        MakeResult result = maker.make(request(input, Map.of("mode", "dynamic-int8", "exclude", List.of("nope"))));

        assertThat(result).isInstanceOf(MakeResult.Made.class);
        MakeResult.Made made = (MakeResult.Made) result;
        assertThat(made.parameters()).containsEntry("mode", "dynamic-int8");
        assertThat(made.notes()).anyMatch(n -> n.contains("nope"));
        assertThat(Files.size(dir.resolve("out.onnx"))).isLessThan(Files.size(input));
        assertThat(OnnxGraphs.read(dir.resolve("out.onnx")).getGraph().getNodeList())
                .anyMatch(n -> n.getOpType().equals("MatMulInteger"));
    }

    @Test
    void dynamicInt8IsSmoothedWithTheRunsTokenizer() throws Exception {
        // 32 positions: the STS-B train texts the service calibrates with are cut to fit.
        Path input = TinyBertBuilder.tiny().layers(2).hidden(32).heads(4).ffn(64).vocabulary(100).maxPositions(32)
                .writeTo(dir.resolve("in.onnx"));
        java.nio.file.Files.writeString(dir.resolve("tokenizer.json"), dev.verdant.onnx.testing.WordPieceTokenizerJson.of(100,
                List.of("a man is playing a guitar", "the cat sits on the mat")));

        MakeResult result = maker.make(request(input, Map.of("mode", "dynamic-int8")));

        assertThat(result).isInstanceOfSatisfying(MakeResult.Made.class, made -> assertThat(made.notes())
                .anyMatch(n -> n.contains("smoothing=0.6,smoothed=4")));
        assertThat(OnnxGraphs.read(dir.resolve("out.onnx")).getGraph().getNodeList())
                .anyMatch(n -> n.getName().endsWith("_smoothing/Mul"));
    }

    @Test
    void aCorruptModelIsAFailureWithTheQuantizersReason() throws Exception {
        Path input = Files.writeString(dir.resolve("in.onnx"), "garbage");
        MakeResult result = maker.make(request(input, Map.of("mode", "dynamic-int8")));
        assertThat(result).isInstanceOfSatisfying(MakeResult.Failed.class,
                f -> assertThat(f.reason()).isEqualTo("CORRUPT_INPUT"));
        assertThat(dir.resolve("out.onnx")).doesNotExist();
    }

    @Test
    void badParamsAreRefusedBeforeAnythingIsDownloadedButStaticInt8IsNot() {
        assertThatThrownBy(() -> maker.check(Map.of("mode", "int3"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("int3");
        assertThatThrownBy(() -> maker.check(Map.of("mode", "int4", "blockSize", 48)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("blockSize");
        maker.check(Map.of("mode", "static-int8", "calibration", "entropy"));
    }
}
