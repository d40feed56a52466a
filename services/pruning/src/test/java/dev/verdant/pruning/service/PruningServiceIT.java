package dev.verdant.pruning.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.verdant.events.Artifact;
import dev.verdant.events.BucketLayout;
import dev.verdant.events.Hashes;
import dev.verdant.events.JobUsage;
import dev.verdant.events.ModelIngested;
import dev.verdant.events.Technique;
import dev.verdant.events.Topics;
import dev.verdant.events.VariantCreated;
import dev.verdant.onnx.OnnxGraphs;
import dev.verdant.onnx.testing.WordPieceTokenizerJson;
import dev.verdant.testsupport.LocalInfrastructureTestResource;
import dev.verdant.testsupport.pipeline.PipelineProbe;
import dev.verdant.testsupport.pipeline.TechniqueServiceCheck;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/** The pruning service against a real Kafka broker and a real S3 server (s3proxy), on a tiny BERT. */
@QuarkusTest
@WithTestResource(value = LocalInfrastructureTestResource.class, initArgs = {
        @ResourceArg(name = "unique-bucket", value = "true"),
        @ResourceArg(name = "topics", value = "verdant.models.ingested,verdant.variants.created,"
                + "verdant.variants.failed,verdant.dead-letter,verdant.usage")})
class PruningServiceIT extends TechniqueServiceCheck {

    @Override
    protected String variantsYaml() {
        return """
                  - name: ffn-half
                    technique: prune
                    params: { method: ffn, amount: 0.5 }
                  - name: heads-quarter
                    technique: prune
                    params: { method: heads, amount: 0.25 }
                  - name: low-rank
                    technique: prune
                    params: { method: lowrank, amount: 0.5 }
                """;
    }

    @Override
    protected List<String> variantIds() {
        return List.of("ffn-half", "heads-quarter", "low-rank");
    }

    @Override
    protected Technique technique() {
        return Technique.PRUNE;
    }

    @Override
    protected JobUsage.Kind jobKind() {
        return JobUsage.Kind.PRUNE;
    }

    @Override
    protected String corruptInputReason() {
        return "CORRUPT_INPUT";
    }

    /**
     * The pipeline path calibrates: the service runs the model on the STS-B train sentences it ships
     * with the run's tokenizer, ranks by activations (unstructured: Wanda), and both the event and the
     * stored model say so (criterion, the sentences and the token count).
     */
    @Test
    void variantsAreCalibratedOnStsbTrainByDefault() throws Exception {
        try (PipelineProbe probe = PipelineProbe.fromConfig(ConfigProvider.getConfig(), List.of(Topics.VARIANTS_CREATED,
                Topics.VARIANTS_FAILED), Duration.ofSeconds(90))) {
            byte[] model = tinyModel().toBytes();
            Artifact modelArtifact = probe.put(BucketLayout.modelKey(Hashes.sha256(model)), model);
            byte[] tokenizer = WordPieceTokenizerJson.of(120).getBytes(StandardCharsets.UTF_8);
            Artifact tokenizerArtifact = probe.put(BucketLayout.tokenizerKey(Hashes.sha256(tokenizer)), tokenizer);
            ModelIngested run = probe.startRun(PipelineProbe.newRunId(), modelArtifact, tokenizerArtifact, """
                    apiVersion: verdant.dev/v1
                    name: prune-calibrated-it
                    variants:
                      - name: sparse-half
                        technique: prune
                        params: { method: unstructured, amount: 0.5 }
                      - name: ffn-quarter
                        technique: prune
                        params: { method: ffn, amount: 0.25 }
                    """);
            probe.produce(run, "ingested:" + run.runId());
            for (String[] expected : new String[][] {{"sparse-half", "wanda"}, {"ffn-quarter", "activations"}}) {
                VariantCreated created = probe.await(expected[0] + " created", VariantCreated.class,
                        v -> v.runId().equals(run.runId()) && v.variantId().equals(expected[0]));
                assertThat(created.parameters()).containsEntry("criterion", expected[1]);
                assertThat((String) created.parameters().get("calibration"))
                        .startsWith("STS-B train, first 1000 sentences; ").endsWith(" tokens");
                byte[] stored = probe.store().getBytes(created.artifact().key(), 20L << 20);
                Map<String, String> metadata = OnnxGraphs.parse(new ByteArrayInputStream(stored), stored.length)
                        .getMetadataPropsList().stream().collect(Collectors.toMap(e -> e.getKey(), e -> e.getValue()));
                assertThat(metadata).containsEntry("verdant.criterion", expected[1])
                        .containsEntry("verdant.calibration", (String) created.parameters().get("calibration"));
                assertThat(created.notes()).anyMatch(note -> note.contains("STS-B train"));
            }
        }
    }
}
