package dev.verdant.evaluation;

import java.nio.file.Path;
import java.util.Objects;

/** Where the STS pairs come from: a split packaged with Verdant, or a file in the same format. */
public sealed interface StsSource permits StsSource.BuiltIn, StsSource.File {

    /** The STS-B test split (1379 pairs): the default, and what published figures use. */
    static StsSource test() {
        return new BuiltIn(StsSplit.TEST);
    }

    static StsSource file(Path path) {
        return new File(path);
    }

    StsReader.Result load();

    record BuiltIn(StsSplit split) implements StsSource {
        public BuiltIn {
            Objects.requireNonNull(split, "split");
        }

        @Override
        public StsReader.Result load() {
            return StsReader.builtIn(split);
        }
    }

    record File(Path path) implements StsSource {
        public File {
            Objects.requireNonNull(path, "path");
        }

        @Override
        public StsReader.Result load() {
            return StsReader.read(path);
        }
    }
}
