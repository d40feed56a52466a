package dev.verdant.testsupport.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.verdant.events.Artifact;
import dev.verdant.events.BucketLayout;
import dev.verdant.events.Hashes;
import dev.verdant.events.JobUsage;
import dev.verdant.events.ModelIngested;
import dev.verdant.events.Schemas;
import dev.verdant.events.Technique;
import dev.verdant.events.Topics;
import dev.verdant.events.VariantCreated;
import dev.verdant.events.VariantFailed;
import dev.verdant.onnx.OnnxGraphs;
import dev.verdant.onnx.testing.TinyBertBuilder;
import dev.verdant.onnx.testing.WordPieceTokenizerJson;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What every technique service's integration test checks, against the real Kafka and S3 of the
 * Quarkus test: the run's variants of this technique are made from a tiny BERT-shaped model, stored,
 * announced with their usage, and have fewer parameters than the original; a model that cannot be
 * read gives a failed variant with the technique's reason, nothing goes to the dead letters. What
 * the services share beyond that (chains, failed inputs, replays) is proven by RunVariantsIT and
 * QuantizationServiceIT. A subclass is a {@code @QuarkusTest} with the local infrastructure.
 */
public abstract class TechniqueServiceCheck {
    private static final int VOCABULARY = 120;
    private PipelineProbe probe;

    /** The recipe's variants, YAML list items at two spaces (all of this technique). */
    protected abstract String variantsYaml();

    /** The variant ids the recipe names. */
    protected abstract List<String> variantIds();

    protected abstract Technique technique();

    protected abstract JobUsage.Kind jobKind();

    /** The service's reason for a file that is not an ONNX model. */
    protected abstract String corruptInputReason();

    /** The tiny model the variants are made from. */
    protected TinyBertBuilder tinyModel() {
        return TinyBertBuilder.tiny().layers(2).hidden(32).heads(4).ffn(64).vocabulary(VOCABULARY).maxPositions(64)
                .seed(5);
    }

    protected Duration waitForEach() {
        return Duration.ofSeconds(90);
    }

    @AfterEach
    void closeProbe() {
        if (probe != null) {
            probe.close();
        }
    }

    private ModelIngested startRun(byte[] modelBytes) {
        Artifact model = probe.put(BucketLayout.modelKey(Hashes.sha256(modelBytes)), modelBytes);
        byte[] tokenizerJson = WordPieceTokenizerJson.of(VOCABULARY).getBytes(StandardCharsets.UTF_8);
        Artifact tokenizer = probe.put(BucketLayout.tokenizerKey(Hashes.sha256(tokenizerJson)), tokenizerJson);
        String recipe = "apiVersion: verdant.dev/v1\nname: " + technique().wireName() + "-it\nvariants:\n"
                + variantsYaml();
        return probe.startRun(PipelineProbe.newRunId(), model, tokenizer, recipe);
    }

    @Test
    void makesTheRunsVariantsAndReportsAModelItCannotRead() throws Exception {
        probe = PipelineProbe.fromConfig(ConfigProvider.getConfig(), List.of(Topics.VARIANTS_CREATED,
                Topics.VARIANTS_FAILED, Topics.USAGE, Topics.DEAD_LETTER), waitForEach());
        TinyBertBuilder tiny = tinyModel();
        ModelIngested run = startRun(tiny.toBytes());
        probe.produce(run, "ingested:" + run.runId());
        String service = null;
        for (String id : variantIds()) {
            VariantCreated created = probe.await(id + " created", VariantCreated.class,
                    v -> v.runId().equals(run.runId()) && v.variantId().equals(id));
            assertThat(Schemas.validate(created)).isEmpty();
            assertThat(created.technique()).isEqualTo(technique());
            assertThat(created.artifact().key()).isEqualTo(BucketLayout.variantKey(run.runId(), id));
            byte[] stored = probe.store().getBytes(created.artifact().key(), 20L << 20);
            assertThat(Hashes.sha256(stored)).isEqualTo(created.artifact().sha256());
            long parameters = OnnxGraphs.parse(new ByteArrayInputStream(stored), stored.length).getGraph()
                    .getInitializerList().stream().mapToLong(t -> t.getDimsList().stream().reduce(1L, (a, b) -> a * b))
                    .sum();
            assertThat(parameters).as(id + " has fewer parameters than the original")
                    .isLessThan(tiny.expectedParameterCount());
            assertThat(created.notes()).isNotEmpty();
            JobUsage usage = probe.await("usage of " + id, JobUsage.class,
                    u -> u.jobId().equals(JobUsage.jobId(run.runId(), jobKind(), id)));
            assertThat(usage.usage().cpuSeconds()).isPositive();
            assertThat(usage.service()).isEqualTo(created.service());
            service = created.service();
            System.out.printf("%s: %s made in %.2f s wall, %.2f s CPU: %s%n", getClass().getSimpleName(), id,
                    created.usage().wallSeconds(), created.usage().cpuSeconds(), created.notes());
        }

        ModelIngested corrupt = startRun("not an onnx model".getBytes(StandardCharsets.UTF_8));
        probe.produce(corrupt, "ingested:" + corrupt.runId());
        String first = variantIds().get(0);
        VariantFailed failed = probe.await(first + " of the corrupt model failed", VariantFailed.class,
                f -> f.runId().equals(corrupt.runId()) && f.variantId().equals(first));
        assertThat(Schemas.validate(failed)).isEmpty();
        assertThat(failed.stage()).isEqualTo(VariantFailed.Stage.MAKE);
        assertThat(failed.reason()).isEqualTo(corruptInputReason());
        assertThat(failed.service()).isEqualTo(service);
        assertThat(failed.message()).isNotBlank();
        assertThat(probe.seen()).noneMatch(r -> Topics.DEAD_LETTER.equals(r.topic()));
    }
}
