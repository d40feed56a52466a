package dev.verdant.quantization.service;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import dev.verdant.events.Artifact;
import dev.verdant.events.BucketLayout;
import dev.verdant.events.Hashes;
import dev.verdant.events.JobUsage;
import dev.verdant.events.ModelIngested;
import dev.verdant.events.PlannedStep;
import dev.verdant.events.Schemas;
import dev.verdant.events.Technique;
import dev.verdant.events.Topics;
import dev.verdant.events.VariantCreated;
import dev.verdant.events.VariantFailed;
import dev.verdant.onnx.testing.TinyBertBuilder;
import dev.verdant.onnx.testing.WordPieceTokenizerJson;
import dev.verdant.testsupport.LocalInfrastructureTestResource;
import dev.verdant.testsupport.pipeline.PipelineProbe;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The quantization service against a real Kafka broker and a real S3 server (s3proxy), on a tiny
 * BERT-shaped model: the test plays ingest and the other technique services.
 */
@QuarkusTest
@WithTestResource(value = LocalInfrastructureTestResource.class, initArgs = {
        @ResourceArg(name = "unique-bucket", value = "true"),
        @ResourceArg(name = "topics", value = "verdant.models.ingested,verdant.variants.created,"
                + "verdant.variants.failed,verdant.dead-letter,verdant.usage")})
class QuantizationServiceIT {
    private static final String RECIPE = """
            apiVersion: verdant.dev/v1
            name: quantize-it
            variants:
              - name: int8
                technique: quantize
                params: { mode: dynamic-int8 }
              - name: int8-per-tensor
                technique: quantize
                params: { mode: dynamic-int8, perTensor: true, exclude: [no-such-node] }
              - name: pruned
                technique: prune
                params: { method: ffn, amount: 0.25 }
              - name: pruned-int8
                technique: quantize
                from: pruned
                params: { mode: dynamic-int8 }
              - name: int8-again
                technique: quantize
                from: int8
                params: { mode: dynamic-int8 }
            """;
    private static final int VOCABULARY = 120;
    private static PipelineProbe probe;

    @BeforeAll
    static void connect() {
        probe = PipelineProbe.fromConfig(ConfigProvider.getConfig(), List.of(Topics.VARIANTS_CREATED,
                Topics.VARIANTS_FAILED, Topics.USAGE, Topics.DEAD_LETTER), Duration.ofSeconds(60));
    }

    @AfterAll
    static void disconnect() {
        probe.close();
    }

    private static ModelIngested startRun(byte[] modelBytes) {
        Artifact model = probe.put(BucketLayout.modelKey(Hashes.sha256(modelBytes)), modelBytes);
        byte[] tokenizerJson = WordPieceTokenizerJson.of(VOCABULARY).getBytes(StandardCharsets.UTF_8);
        Artifact tokenizer = probe.put(BucketLayout.tokenizerKey(Hashes.sha256(tokenizerJson)), tokenizerJson);
        // A step ingest's recipe check would refuse (block size 48): a producer other than ingest may send it.
        PlannedStep badBlock = new PlannedStep("bad-block", Technique.QUANTIZE, Map.of("mode", "int4", "blockSize", 48),
                PlannedStep.ORIGINAL);
        return probe.startRun(PipelineProbe.newRunId(), model, tokenizer, RECIPE, List.of(badBlock));
    }

    private static VariantCreated created(String runId, String variantId) {
        return probe.await(variantId + " created", VariantCreated.class,
                v -> v.runId().equals(runId) && v.variantId().equals(variantId));
    }

    private static VariantFailed failed(String runId, String variantId) {
        return probe.await(variantId + " failed", VariantFailed.class,
                v -> v.runId().equals(runId) && v.variantId().equals(variantId));
    }

    @Test
    void makesTheRunsQuantizedVariantsOnceAndSaysWhyTheOthersCannotBeMade() throws Exception {
        byte[] original = TinyBertBuilder.tiny().layers(2).hidden(32).heads(4).ffn(64).vocabulary(VOCABULARY)
                .maxPositions(64).seed(7).toBytes();
        ModelIngested run = startRun(original);
        String runId = run.runId();
        probe.produce(run, "ingested:" + runId);

        VariantCreated int8 = created(runId, "int8");
        assertThat(Schemas.validate(int8)).isEmpty();
        assertThat(int8.technique()).isEqualTo(Technique.QUANTIZE);
        assertThat(int8.input()).isEqualTo("original");
        assertThat(int8.service()).isEqualTo("quantization");
        assertThat(int8.artifact().key()).isEqualTo(BucketLayout.variantKey(runId, "int8"));
        assertThat(int8.artifact().sizeBytes()).isLessThan(original.length);
        assertThat(int8.usage().cpuSeconds()).isPositive();
        byte[] stored = probe.store().getBytes(int8.artifact().key(), 10L << 20);
        assertThat(Hashes.sha256(stored)).isEqualTo(int8.artifact().sha256());
        ModelProto model = ModelProto.parseFrom(stored);
        assertThat(model.getGraph().getNodeList()).extracting(NodeProto::getOpType).contains("MatMulInteger",
                "DynamicQuantizeLinear");
        Map<String, String> metadata = new java.util.HashMap<>();
        model.getMetadataPropsList().forEach(p -> metadata.put(p.getKey(), p.getValue()));
        assertThat(metadata).containsEntry("verdant.mode", "dynamic-int8")
                .containsEntry("verdant.source-sha256", Hashes.sha256(original));

        VariantCreated perTensor = created(runId, "int8-per-tensor");
        assertThat(perTensor.notes()).anyMatch(n -> n.contains("no-such-node"));

        VariantFailed badBlock = failed(runId, "bad-block");
        assertThat(Schemas.validate(badBlock)).isEmpty();
        assertThat(badBlock.stage()).isEqualTo(VariantFailed.Stage.MAKE);
        assertThat(badBlock.reason()).isEqualTo("INVALID_PARAMETERS");
        assertThat(badBlock.message()).contains("blockSize");

        // Chained on its own output: quantizing a quantized model is refused with the reason.
        VariantFailed again = failed(runId, "int8-again");
        assertThat(again.reason()).isEqualTo("UNSUPPORTED_OP");
        assertThat(again.message()).contains("quantized already");

        // Another technique could not make its variant: the quantize step built on it fails too.
        probe.produce(new VariantFailed(runId, run.modelSha256(), "pruned", Technique.PRUNE, VariantFailed.Stage.MAKE,
                "NO_FFN", "no feed-forward block found", "pruning", null, Instant.now()), "failed:" + runId + ":pruned");
        VariantFailed prunedInt8 = failed(runId, "pruned-int8");
        assertThat(prunedInt8.reason()).isEqualTo("INPUT_FAILED");
        assertThat(prunedInt8.message()).contains("pruned").contains("NO_FFN");

        // Each job says what it used, under a stable job id.
        JobUsage usage = probe.await("usage of int8", JobUsage.class,
                u -> u.jobId().equals(JobUsage.jobId(runId, JobUsage.Kind.QUANTIZE, "int8")));
        assertThat(Schemas.validate(usage)).isEmpty();
        assertThat(usage.service()).isEqualTo("quantization");

        // A replayed start makes nothing new.
        probe.produce(run, "ingested:" + runId);
        ModelIngested corrupt = startRun("not an onnx model at all".getBytes(StandardCharsets.UTF_8));
        probe.produce(corrupt, "ingested:" + corrupt.runId());
        VariantFailed corruptFailed = failed(corrupt.runId(), "int8");
        assertThat(corruptFailed.reason()).isEqualTo("CORRUPT_INPUT");
        probe.drain(Duration.ofSeconds(2));
        assertThat(probe.count(VariantCreated.class, v -> v.runId().equals(runId) && v.variantId().equals("int8")))
                .isEqualTo(1);
        assertThat(probe.store().list(BucketLayout.runPrefix(runId) + "variants/", true)).hasSize(2);
        assertThat(probe.seen()).noneMatch(r -> Topics.DEAD_LETTER.equals(r.topic()));
    }
}
