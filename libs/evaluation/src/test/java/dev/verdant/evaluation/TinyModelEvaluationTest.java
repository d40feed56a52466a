package dev.verdant.evaluation;

import dev.verdant.onnx.testing.WordPieceTokenizerJson;

import com.fasterxml.jackson.databind.JsonNode;
import dev.verdant.evaluation.EvaluationOutcome.Evaluated;
import dev.verdant.evaluation.EvaluationOutcome.Failed;
import dev.verdant.events.EventJson;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole evaluator on tiny BERT models built in code (random weights, so the Spearman figure
 * means nothing, but it is a real number computed the real way), with a WordPiece tokenizer whose
 * vocabulary matches the model's embedding table.
 */
class TinyModelEvaluationTest {

    private static final int PAIRS = 48;

    @TempDir
    static Path dir;
    static Path model;
    static Path tokenizer;

    @BeforeAll
    static void build() throws IOException {
        StsDataset test = ((StsReader.Loaded) StsReader.builtIn(StsSplit.TEST)).dataset();
        List<String> sentences = new java.util.ArrayList<>(test.firstSentences());
        sentences.addAll(test.secondSentences());
        tokenizer = Files.writeString(dir.resolve("tokenizer.json"), WordPieceTokenizerJson.of(TinyModels.VOCABULARY, sentences));
        model = TinyModels.write(TinyModels.builder(7), dir.resolve("tiny.onnx"));
    }

    static EvaluationRequest request(Path onnx) {
        return EvaluationRequest.of(onnx, tokenizer).withMaxPairs(PAIRS).withThreads(1)
                .withLatency(LatencySettings.quick());
    }

    static EvaluationReport evaluated(EvaluationRequest request) {
        EvaluationOutcome outcome = new Evaluator().evaluate(request);
        assertThat(outcome).as("outcome %s", outcome).isInstanceOf(Evaluated.class);
        return ((Evaluated) outcome).report();
    }

    @Test
    void measuresEverything() {
        EvaluationReport report = evaluated(request(model));

        assertThat(report.quality().task()).isEqualTo("sts");
        assertThat(report.quality().pairs()).isEqualTo(PAIRS);
        assertThat(report.quality().dataset()).isEqualTo("stsb-test");
        assertThat(report.quality().datasetSha256()).startsWith("75c745693e674dd0");
        assertThat(report.quality().spearman()).isBetween(-100.0, 100.0).isNotEqualTo(0.0);
        assertThat(report.fidelity()).isNull();
        assertThat(report.sizeBytes()).isEqualTo(model.toFile().length());
        assertThat(report.parameters()).isEqualTo(TinyModels.builder(7).expectedParameterCount());
        assertThat(report.modelSha256()).hasSize(64);
        assertThat(report.latency().batch1().runs()).isEqualTo(LatencySettings.quick().batch1Runs());
        assertThat(report.latency().batch1().p50Ms()).isPositive();
        assertThat(report.latency().batch1().p95Ms()).isGreaterThanOrEqualTo(report.latency().batch1().p50Ms());
        assertThat(report.latency().batch32().p95Ms()).isGreaterThanOrEqualTo(report.latency().batch32().p50Ms());
        assertThat(report.throughput().sentencesPerSecond()).isPositive();
        assertThat(report.usage().inferences()).isEqualTo(32 * LatencySettings.quick().batch32Runs());
        assertThat(report.usage().wallSecondsPer1k()).isPositive();
        assertThat(report.usage().cpuSecondsPer1k()).isPositive();
        assertThat(report.peakMemory().method()).isNotBlank();
        EvaluationReport.Settings settings = report.settings();
        assertThat(settings.threads()).isEqualTo(1);
        assertThat(settings.maxSequenceLength()).isEqualTo(128);
        assertThat(settings.inputs()).containsExactly("input_ids", "attention_mask", "token_type_ids");
        assertThat(settings.output()).isEqualTo("last_hidden_state");
        assertThat(settings.onnxRuntimeVersion()).isEqualTo("1.29.0");
        assertThat(settings.djlVersion()).isEqualTo("0.36.0");
        assertThat(settings.cpuModel()).isNotBlank();
        assertThat(settings.jvm()).contains(System.getProperty("java.vm.version"));
    }

    /** The determinism promise: same model and settings, the same quality and fidelity bits. */
    @Test
    void qualityAndFidelityAreIdenticalRunToRun() throws IOException {
        Path other = TinyModels.write(TinyModels.builder(8), dir.resolve("other.onnx"));
        EvaluationRequest request = request(model).withBaseline(other);

        EvaluationReport first = evaluated(request);
        EvaluationReport second = evaluated(request);

        assertThat(second.quality()).isEqualTo(first.quality());
        assertThat(second.fidelity()).isEqualTo(first.fidelity());
        assertThat(first.fidelity().meanCosine()).isLessThan(0.999);
        assertThat(first.fidelity().minCosine()).isLessThanOrEqualTo(first.fidelity().meanCosine());
        assertThat(first.fidelity().mse()).isPositive();
        assertThat(first.fidelity().sentences()).isEqualTo(2 * PAIRS);
    }

    @Test
    void aModelIsPerfectlyFaithfulToItself() {
        EvaluationReport report = evaluated(request(model).withBaseline(model));

        assertThat(report.fidelity().meanCosine()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(report.fidelity().minCosine()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(report.fidelity().mse()).isZero();
    }

    @Test
    void modelWithoutTokenTypesIsFedWhatItHas() throws IOException {
        Path distil = TinyModels.withoutTokenTypes(TinyModels.builder(7), dir.resolve("no-types.onnx"));

        EvaluationReport report = evaluated(request(distil).withBaseline(model));

        assertThat(report.settings().inputs()).containsExactly("input_ids", "attention_mask");
        // Same weights minus the token-type vector (row 0 added to every token): close, not equal.
        assertThat(report.fidelity().meanCosine()).isBetween(0.0, 1.0);
    }

    @Test
    void picksTheTokenVectorsBesideAPooledOutput() throws IOException {
        Path pooled = TinyModels.write(TinyModels.builder(7).pooledOutput(true), dir.resolve("pooler.onnx"));

        EvaluationReport report = evaluated(request(pooled).withBaseline(model));

        assertThat(report.settings().output()).isEqualTo("last_hidden_state");
        assertThat(report.fidelity().mse()).isZero(); // the same encoder: the pooler is ignored
    }

    @Test
    void reportJsonHasTheCliShape() {
        EvaluationReport report = evaluated(request(model));

        JsonNode json = EventJson.readTree(report.toJson().getBytes(StandardCharsets.UTF_8));

        assertThat(json.path("model").asText()).isEqualTo(model.toString());
        assertThat(json.path("sizeBytes").asLong()).isEqualTo(report.sizeBytes());
        assertThat(json.path("parameters").asLong()).isEqualTo(report.parameters());
        assertThat(json.path("quality").path("task").asText()).isEqualTo("sts");
        assertThat(json.path("quality").path("spearman").isNumber()).isTrue();
        assertThat(json.path("quality").path("pairs").asInt()).isEqualTo(PAIRS);
        assertThat(json.has("fidelity")).isFalse();
        for (String batch : List.of("batch1", "batch32")) {
            assertThat(json.path("latency").path(batch).path("p50Ms").isNumber()).isTrue();
            assertThat(json.path("latency").path(batch).path("p95Ms").isNumber()).isTrue();
        }
        assertThat(json.path("throughput").path("sentencesPerSecond").isNumber()).isTrue();
        assertThat(json.path("usage").path("cpuSecondsPer1k").isNumber()).isTrue();
        assertThat(json.path("usage").path("wallSecondsPer1k").isNumber()).isTrue();
        assertThat(json.path("settings").path("datasetSha256").asText()).startsWith("75c745693e674dd0");
    }

    @Test
    void readsAnStsFileGivenByPath() throws IOException {
        Path file = Files.writeString(dir.resolve("mine.tsv"), "score\tsentence1\tsentence2\n"
                + "5.0\tA man is playing a guitar.\tA man plays the guitar.\n"
                + "0.5\tA woman is slicing an onion.\tA dog runs in the park.\n"
                + "2.0\tA cat sleeps.\tA cat is eating.\n");

        EvaluationReport report = evaluated(request(model).withDataset(StsSource.file(file)).withMaxPairs(0));

        assertThat(report.quality().pairs()).isEqualTo(3);
        assertThat(report.quality().dataset()).isEqualTo("mine.tsv");
    }

    @Test
    void failuresAreValuesWithReasons() throws IOException {
        Path garbage = Files.write(dir.resolve("garbage.onnx"), "this is not a model".getBytes(StandardCharsets.UTF_8));
        Path badData = Files.writeString(dir.resolve("bad.tsv"), "4.0\tonly two fields\n");
        Path notJson = Files.writeString(dir.resolve("not-json.json"), "{ vocab: ");

        assertFailure(request(dir.resolve("missing.onnx")), FailureReason.MODEL_UNREADABLE, "missing.onnx");
        assertFailure(request(garbage), FailureReason.MODEL_MALFORMED, "garbage.onnx");
        assertFailure(request(model).withDataset(StsSource.file(badData)), FailureReason.DATASET_MALFORMED, "line 1");
        assertFailure(new EvaluationRequest(model, notJson, java.util.Optional.empty(), StsSource.test(), PAIRS, 1,
                128, LatencySettings.quick()), FailureReason.TOKENIZER_MALFORMED, "not valid JSON");
        assertFailure(request(model).withThreads(0), FailureReason.INVALID_REQUEST, "threads");
        assertFailure(request(model).withMaxSequenceLength(512), FailureReason.INVALID_REQUEST, "128 positions");
    }

    @Test
    void pooledOutputOnlyIsUnsupported() throws IOException {
        Path pooled = TinyModels.pooledOutputOnly(TinyModels.builder(7), dir.resolve("pooled-only.onnx"));

        assertFailure(request(pooled), FailureReason.MODEL_UNSUPPORTED, "[batch, sequence, 32]");
    }

    @Test
    void baselineOfAnotherWidthIsIncompatible() throws IOException {
        Path wide = TinyModels.write(TinyModels.builder(7).hidden(48).heads(4), dir.resolve("wide.onnx"));

        assertFailure(request(model).withBaseline(wide), FailureReason.BASELINE_INCOMPATIBLE, "48-dimensional");
    }

    static Failed assertFailure(EvaluationRequest request, FailureReason reason, String inMessage) {
        EvaluationOutcome outcome = new Evaluator().evaluate(request);
        assertThat(outcome).isInstanceOf(Failed.class);
        Failed failed = (Failed) outcome;
        assertThat(failed.reason()).as(failed.message()).isEqualTo(reason);
        assertThat(failed.message()).contains(inMessage).doesNotContain("\tat ");
        return failed;
    }
}
