package dev.verdant.evaluation;

import java.io.IOException;
import java.nio.file.Path;

/** The evaluation tests' names for {@link MiniLmArtifacts} (the jars are test dependencies here). */
final class MiniLmFiles {

    static final String FP32 = MiniLmArtifacts.FP32;
    static final String FP32_TOKENIZER = MiniLmArtifacts.FP32_TOKENIZER;
    /** ONNX Runtime's own dynamic INT8 quantization of the same model. */
    static final String INT8 = MiniLmArtifacts.INT8;

    private MiniLmFiles() {
    }

    static Path extract(String resource, Path dir) throws IOException {
        return MiniLmArtifacts.extract(resource, dir);
    }
}
