package dev.verdant.evaluation;

/** The STS-B splits shipped in this module (see stsb/README.md beside them). */
public enum StsSplit {
    TRAIN("train.tsv", 5749),
    DEV("dev.tsv", 1500),
    TEST("test.tsv", 1379);

    private final String file;
    private final int pairs;

    StsSplit(String file, int pairs) {
        this.file = file;
        this.pairs = pairs;
    }

    /** Class-path resource, e.g. dev/verdant/evaluation/stsb/test.tsv. */
    public String resource() {
        return "dev/verdant/evaluation/stsb/" + file;
    }

    /** Name recorded in reports, e.g. "stsb-test". */
    public String datasetName() {
        return "stsb-" + name().toLowerCase(java.util.Locale.ROOT);
    }

    public int pairs() {
        return pairs;
    }
}
