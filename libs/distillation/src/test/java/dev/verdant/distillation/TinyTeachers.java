package dev.verdant.distillation;

import dev.verdant.evaluation.StsReader;
import dev.verdant.evaluation.StsSplit;
import dev.verdant.onnx.testing.TinyBertBuilder;
import dev.verdant.onnx.testing.WordPieceTokenizerJson;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Tiny BERT teachers with a tokenizer that knows their corpus: the stand-ins for MiniLM in unit tests. */
final class TinyTeachers {

    static final int VOCABULARY = 600;
    static final int POSITIONS = 128;
    static final int SENTENCES = 96;

    private TinyTeachers() {
    }

    /**
     * TinyBertBuilder's N(0, 0.02) weights leave each layer close to the identity (the residual
     * dominates), so a wrongly copied layer would hardly show. Scaled by {@code factor}, every
     * linear layer (Q, K, V, output, FFN) matters: attention scores spread, GELU leaves its linear
     * range.
     */
    static ai.onnx.proto.OnnxMl.ModelProto amplified(TinyBertBuilder builder, float factor) {
        var model = builder.build();
        var graph = model.getGraph().toBuilder();
        for (int i = 0; i < graph.getInitializerCount(); i++) {
            var tensor = graph.getInitializer(i);
            if (tensor.getName().startsWith("encoder.") && tensor.getName().endsWith(".weight") && tensor.getDimsCount() == 2) {
                float[] values = dev.verdant.onnx.Tensors.toFloats(tensor);
                for (int j = 0; j < values.length; j++) {
                    values[j] *= factor;
                }
                graph.setInitializer(i, dev.verdant.onnx.Tensors.ofFloats(tensor.getName(),
                        dev.verdant.onnx.Tensors.dims(tensor), values));
            }
        }
        return model.toBuilder().setGraph(graph).build();
    }

    static TinyBertBuilder builder(int layers) {
        return TinyBertBuilder.tiny().layers(layers).vocabulary(VOCABULARY).maxPositions(POSITIONS).seed(7);
    }

    /** The first STS-B train sentences, one a line. */
    static List<String> sentences() {
        var dataset = ((StsReader.Loaded) StsReader.builtIn(StsSplit.TRAIN)).dataset();
        List<String> out = new ArrayList<>();
        for (var pair : dataset.pairs()) {
            if (out.size() >= SENTENCES) {
                break;
            }
            out.add(pair.first().strip());
            out.add(pair.second().strip());
        }
        return out.stream().distinct().limit(SENTENCES).toList();
    }

    static Path tokenizer(Path dir) throws IOException {
        return Files.writeString(dir.resolve("tokenizer.json"), WordPieceTokenizerJson.of(VOCABULARY, sentences()));
    }

    static Path corpus(Path dir) throws IOException {
        return Files.write(dir.resolve("corpus.txt"), sentences());
    }
}
