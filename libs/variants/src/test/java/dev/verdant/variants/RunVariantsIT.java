package dev.verdant.variants;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.verdant.carbon.CpuPower;
import dev.verdant.carbon.CpuPowerTable;
import dev.verdant.carbon.EnergyMeter;
import dev.verdant.carbon.HostInfo;
import dev.verdant.events.Artifact;
import dev.verdant.events.BucketLayout;
import dev.verdant.events.EventJson;
import dev.verdant.events.Hashes;
import dev.verdant.events.JobUsage;
import dev.verdant.events.ModelIngested;
import dev.verdant.events.RecipeParser;
import dev.verdant.events.Schemas;
import dev.verdant.events.Technique;
import dev.verdant.events.VariantCreated;
import dev.verdant.events.VariantFailed;
import dev.verdant.events.VerdantEvent;
import dev.verdant.infra.InfraEndpoints;
import dev.verdant.store.ArtifactStore;
import dev.verdant.store.S3Settings;
import dev.verdant.testsupport.WithLocalInfrastructure;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shared technique-service core against a real S3 server (s3proxy). The maker is a test double
 * on purpose: what is under test is which steps are made from what, what is stored and emitted,
 * and that nothing is made twice.
 */
@WithLocalInfrastructure
class RunVariantsIT {
    private static final String RECIPE = """
            apiVersion: verdant.dev/v1
            name: chain
            variants:
              - name: q-a
                technique: quantize
                params: { mode: dynamic-int8 }
              - name: q-bad
                technique: quantize
                params: { mode: fp16, blockSize: 64 }
              - name: pruned
                technique: prune
                params: { method: ffn, amount: 0.25 }
              - name: q-of-pruned
                technique: quantize
                from: pruned
                params: { mode: dynamic-int8 }
              - name: q-of-a
                technique: quantize
                from: q-a
                params: { mode: int4 }
              - name: q-refused
                technique: quantize
                params: { mode: int4 }
            """;

    @TempDir
    Path work;

    private ArtifactStore store;
    private final List<VerdantEvent> published = new ArrayList<>();
    private final List<String> ids = new ArrayList<>();
    private RunVariants variants;
    private final CopyingMaker maker = new CopyingMaker();

    /** Copies its input and appends the variant id; refuses block sizes for fp16 and int4 from the original. */
    private static final class CopyingMaker implements VariantMaker {
        final List<String> made = new ArrayList<>();
        /** Thrown by the next make, as a maker that writes to the store (checkpoints) would during an outage. */
        RuntimeException storeFailure;

        @Override
        public Technique technique() {
            return Technique.QUANTIZE;
        }

        @Override
        public JobUsage.Kind jobKind() {
            return JobUsage.Kind.QUANTIZE;
        }

        @Override
        public void check(Map<String, Object> parameters) {
            if ("fp16".equals(parameters.get("mode")) && parameters.containsKey("blockSize")) {
                throw new IllegalArgumentException("blockSize applies to int4 only, not fp16");
            }
        }

        @Override
        public MakeResult make(MakeRequest request) throws IOException {
            made.add(request.variantId());
            if (storeFailure != null) {
                RuntimeException failure = storeFailure;
                storeFailure = null;
                throw failure;
            }
            if (request.variantId().equals("q-refused")) {
                return new MakeResult.Failed("NO_QUANTIZABLE_MATMUL", "nothing to quantize in this model");
            }
            byte[] input = Files.readAllBytes(request.input());
            byte[] suffix = request.variantId().getBytes(StandardCharsets.UTF_8);
            byte[] out = new byte[input.length + suffix.length];
            System.arraycopy(input, 0, out, 0, input.length);
            System.arraycopy(suffix, 0, out, input.length, suffix.length);
            Files.write(request.output(), out);
            return new MakeResult.Made(Map.of("mode", request.parameters().get("mode"), "resolved", true),
                    List.of("made by the test maker"));
        }
    }

    @BeforeEach
    void open(InfraEndpoints infra) {
        String bucket = "variants-" + UUID.randomUUID().toString().substring(0, 8);
        store = new ArtifactStore(new S3Settings(infra.s3Endpoint(), infra.accessKey(), infra.secretKey(), bucket));
        store.ensureBucket();
        variants = new RunVariants("quantization", maker, store, EnergyMeter.estimating(CpuPower.resolve(null, 2, CpuPowerTable.packaged())),
                new HostInfo("test CPU", 2, 1L << 30), work.resolve("jobs"), Clock.systemUTC());
    }

    @AfterEach
    void close() {
        store.close();
    }

    private RunVariants.Publisher publisher() {
        return (event, id) -> {
            Schemas.validate(event);
            published.add(event);
            ids.add(id);
        };
    }

    private ModelIngested startRun() throws IOException {
        ModelIngested example;
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("schemas/examples/model-ingested.json")) {
            example = EventJson.fromBytes(in.readAllBytes(), ModelIngested.class);
        }
        RecipeParser.Valid recipe = (RecipeParser.Valid) RecipeParser.parse(RECIPE.getBytes(StandardCharsets.UTF_8));
        Artifact model = put("models/sha256/m.onnx", "original model bytes".getBytes(StandardCharsets.UTF_8));
        Artifact tokenizer = put("tokenizers/sha256/t.json", "{}".getBytes(StandardCharsets.UTF_8));
        ModelIngested run = new ModelIngested("run-0123456789abcdef0123", model.sha256(), model, tokenizer,
                recipe.recipe(), recipe.sha256(), ModelIngested.RecipeSource.UPLOADED, recipe.plan(), example.upload(),
                example.graph(), example.architecture(), Instant.now());
        store.putBytes(BucketLayout.runMarkerKey(run.runId()), EventJson.toBytes(run), "application/json", Map.of());
        return run;
    }

    private Artifact put(String key, byte[] bytes) {
        store.putBytes(key, bytes, "application/octet-stream", Map.of());
        return new Artifact(key, bytes.length, Hashes.sha256(bytes));
    }

    @Test
    void anIngestedRunMakesThisTechniquesStepsFromTheOriginalOnceEach() throws IOException {
        ModelIngested run = startRun();

        List<VerdantEvent> emitted = variants.onModelIngested(run, publisher());

        assertThat(emitted).extracting(e -> e.getClass().getSimpleName() + ":" + variantId(e))
                .containsExactly("VariantCreated:q-a", "VariantFailed:q-bad", "VariantFailed:q-refused");
        assertThat(maker.made).containsExactly("q-a", "q-refused");
        VariantCreated created = (VariantCreated) emitted.get(0);
        assertThat(created.artifact().key()).isEqualTo(BucketLayout.variantKey(run.runId(), "q-a"));
        assertThat(new String(store.getBytes(created.artifact().key(), 1000), StandardCharsets.UTF_8))
                .isEqualTo("original model bytesq-a");
        assertThat(created.artifact().sha256()).isEqualTo(Hashes.sha256("original model bytesq-a"
                .getBytes(StandardCharsets.UTF_8)));
        assertThat(created.input()).isEqualTo("original");
        assertThat(created.tokenizer()).isEqualTo(run.tokenizer());
        assertThat(created.notes()).containsExactly("made by the test maker");
        assertThat(created.parameters()).containsEntry("resolved", true);
        assertThat(created.usage().wallSeconds()).isPositive();
        VariantFailed bad = (VariantFailed) emitted.get(1);
        assertThat(bad.stage()).isEqualTo(VariantFailed.Stage.MAKE);
        assertThat(bad.reason()).isEqualTo("INVALID_PARAMETERS");
        assertThat(bad.message()).contains("blockSize applies to int4 only");
        assertThat(((VariantFailed) emitted.get(2)).reason()).isEqualTo("NO_QUANTIZABLE_MATMUL");
        // each job's usage follows its outcome, with a stable job id
        assertThat(published).filteredOn(JobUsage.class::isInstance).extracting(e -> ((JobUsage) e).jobId())
                .containsExactly(run.runId() + ":quantize:q-a", run.runId() + ":quantize:q-bad",
                        run.runId() + ":quantize:q-refused");
        assertThat(ids).contains("created:" + run.runId() + ":q-a", "failed:" + run.runId() + ":q-bad");

        // A replayed record: nothing made, nothing emitted, the stored variant untouched.
        int before = published.size();
        assertThat(variants.onModelIngested(run, publisher())).isEmpty();
        assertThat(published).hasSize(before);
        assertThat(maker.made).containsExactly("q-a", "q-refused");
        assertThat(store.list(BucketLayout.runPrefix(run.runId()) + "variants/", true)).hasSize(1);
    }

    @Test
    void chainedStepsStartFromTheVariantTheyNameAndFailWhenItCouldNotBeMade() throws IOException {
        ModelIngested run = startRun();
        VariantCreated a = (VariantCreated) variants.onModelIngested(run, publisher()).get(0);

        List<VerdantEvent> fromA = variants.onVariantCreated(a, publisher());
        assertThat(fromA).extracting(RunVariantsIT::variantId).containsExactly("q-of-a");
        VariantCreated qOfA = (VariantCreated) fromA.get(0);
        assertThat(qOfA.input()).isEqualTo("q-a");
        assertThat(new String(store.getBytes(qOfA.artifact().key(), 1000), StandardCharsets.UTF_8))
                .isEqualTo("original model bytesq-aq-of-a");

        // Another technique's variant could not be made: the quantize step built on it fails with that reason.
        VariantFailed prunedFailed = new VariantFailed(run.runId(), run.modelSha256(), "pruned", Technique.PRUNE,
                VariantFailed.Stage.MAKE, "NO_FFN", "no feed-forward block found", "pruning", null, Instant.now());
        List<VerdantEvent> dependents = variants.onVariantFailed(prunedFailed, publisher());
        assertThat(dependents).singleElement().satisfies(e -> {
            VariantFailed f = (VariantFailed) e;
            assertThat(f.variantId()).isEqualTo("q-of-pruned");
            assertThat(f.reason()).isEqualTo("INPUT_FAILED");
            assertThat(f.message()).contains("starts from pruned").contains("NO_FFN");
        });
        assertThat(variants.onVariantFailed(prunedFailed, publisher())).isEmpty();

        // A failed evaluation leaves the variant in place: nothing to propagate.
        VariantFailed evaluationFailed = new VariantFailed(run.runId(), run.modelSha256(), "q-a", Technique.QUANTIZE,
                VariantFailed.Stage.EVALUATE, "INFERENCE_FAILED", "x", "evaluation", null, Instant.now());
        assertThat(variants.onVariantFailed(evaluationFailed, publisher())).isEmpty();
    }

    /**
     * Regression: a store outage under the maker (distillation's checkpoint writes) became MAKE_ERROR, a
     * failed variant that no restart would redo. Now it propagates: nothing is published or marked, and
     * the record's next delivery makes the variant.
     */
    @Test
    void aStoreOutageInsideTheMakerIsNotAFailedVariantAndTheNextDeliveryMakesIt(InfraEndpoints infra)
            throws IOException {
        ModelIngested run = startRun();
        int port;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            port = socket.getLocalPort(); // closed again: nothing listens there
        }
        try (ArtifactStore unreachable = new ArtifactStore(new S3Settings("http://127.0.0.1:" + port,
                infra.accessKey(), infra.secretKey(), "verdant"), new dev.verdant.store.RetryPolicy(2,
                java.time.Duration.ofMillis(1), java.time.Duration.ofMillis(1)))) {
            unreachable.exists("system/distillation/checkpoints/x");
        } catch (dev.verdant.store.ArtifactStoreException e) {
            maker.storeFailure = e;
        }
        assertThat(maker.storeFailure).as("the unreachable store's failure").isNotNull();

        assertThatThrownBy(() -> variants.onModelIngested(run, publisher()))
                .isInstanceOf(dev.verdant.store.ArtifactStoreException.class);
        assertThat(published).isEmpty();
        assertThat(store.exists(RunVariants.markerKey(run.runId(), "q-a"))).isFalse();

        List<VerdantEvent> again = variants.onModelIngested(run, publisher());
        assertThat(again).extracting(RunVariantsIT::variantId).containsExactly("q-a", "q-bad", "q-refused");
        assertThat(again.get(0)).isInstanceOf(VariantCreated.class);
    }

    /**
     * Regression (found by OutageIT): the store went away after a job's outcome and usage were
     * published, the marker write failed, and the record's retry did the whole job again, publishing
     * a second outcome and usage with other figures. Now the marker write waits for the store.
     */
    @Test
    void aStoreOutageRightAfterPublishingWaitsToWriteTheMarkerInsteadOfRedoingTheJob(InfraEndpoints infra)
            throws Exception {
        ModelIngested run = startRun();
        java.net.URI s3 = java.net.URI.create(infra.s3Endpoint());
        try (Switchboard proxy = new Switchboard(s3.getHost(), s3.getPort());
                ArtifactStore throughProxy = new ArtifactStore(new S3Settings("http://127.0.0.1:" + proxy.port(),
                        infra.accessKey(), infra.secretKey(), store.settings().bucket()),
                        new dev.verdant.store.RetryPolicy(2, java.time.Duration.ofMillis(50),
                                java.time.Duration.ofMillis(50)))) {
            RunVariants flaky = new RunVariants("quantization", maker, throughProxy,
                    EnergyMeter.estimating(CpuPower.resolve(null, 2, CpuPowerTable.packaged())),
                    new HostInfo("test CPU", 2, 1L << 30), work.resolve("jobs-flaky"), Clock.systemUTC());
            RunVariants.Publisher cutAfterUsage = (event, id) -> {
                publisher().publish(event, id);
                if (event instanceof JobUsage u && u.variantId().equals("q-a")) {
                    proxy.down(); // S3 goes away between the usage and the marker, for 3 s
                    Thread back = new Thread(() -> {
                        sleep(3_000);
                        proxy.up();
                    });
                    back.start();
                }
            };
            flaky.onModelIngested(run, cutAfterUsage);
        }
        assertThat(maker.made).as("jobs run").containsExactly("q-a", "q-refused");
        assertThat(published).filteredOn(e -> e instanceof VariantCreated).hasSize(1);
        assertThat(published).filteredOn(e -> e instanceof JobUsage u && "q-a".equals(u.variantId())).hasSize(1);
        assertThat(store.exists(RunVariants.markerKey(run.runId(), "q-a"))).isTrue();
    }

    /** A TCP forwarder to the real S3 server that can refuse connections for a while. */
    private static final class Switchboard implements AutoCloseable {
        private final java.net.ServerSocket server = new java.net.ServerSocket(0, 50,
                java.net.InetAddress.getLoopbackAddress());
        private volatile boolean up = true;
        private final List<java.net.Socket> open = new java.util.concurrent.CopyOnWriteArrayList<>();

        Switchboard(String host, int port) throws IOException {
            Thread accept = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        java.net.Socket client = server.accept();
                        if (!up) {
                            client.close();
                            continue;
                        }
                        java.net.Socket upstream = new java.net.Socket(host, port);
                        open.add(client);
                        open.add(upstream);
                        pipe(client, upstream);
                        pipe(upstream, client);
                    } catch (IOException closed) {
                        // server closed, or one connection failed
                    }
                }
            });
            accept.setDaemon(true);
            accept.start();
        }

        private static void pipe(java.net.Socket from, java.net.Socket to) {
            Thread t = new Thread(() -> {
                try {
                    from.getInputStream().transferTo(to.getOutputStream());
                } catch (IOException ignored) {
                    // connection cut
                } finally {
                    try {
                        to.shutdownOutput();
                    } catch (IOException ignored) {
                        // already closed
                    }
                }
            });
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return server.getLocalPort();
        }

        /** Cuts every open connection and refuses new ones. */
        void down() {
            up = false;
            for (java.net.Socket s : open) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // closing anyway
                }
            }
            open.clear();
        }

        void up() {
            up = true;
        }

        @Override
        public void close() throws IOException {
            down();
            server.close();
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void aVariantOfARunThisBucketDoesNotKnowIsRefusedWithTheMissingMarkerNamed() {
        VariantCreated stray = new VariantCreated("run-ffffffffffffffffffff", "0".repeat(64), "q-a", Technique.QUANTIZE,
                Map.of(), "original", new Artifact("runs/x/variants/q-a.onnx", 1, "0".repeat(64)), null, "quantization",
                null, List.of(), Instant.now());
        assertThatThrownBy(() -> variants.onVariantCreated(stray, publisher()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("runs/run-ffffffffffffffffffff/run.json");
    }

    private static String variantId(VerdantEvent e) {
        return e instanceof VariantCreated c ? c.variantId() : ((VariantFailed) e).variantId();
    }
}
