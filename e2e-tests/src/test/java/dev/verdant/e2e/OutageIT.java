package dev.verdant.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.verdant.events.ModelIngested;
import dev.verdant.events.RunReported;
import dev.verdant.events.Topics;
import dev.verdant.events.VariantEvaluated;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The store and the broker go away in the middle of a run, and a record no service can read arrives.
 * The first test sends the poison; the second shows the services went on: a run through a 30 s S3
 * outage and a broker restart still reaches its verdict with every fact once.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OutageIT {

    @BeforeAll
    static void takeTheFleet() {
        ChaosFleet.acquire();
    }

    @AfterAll
    static void letGoOfTheFleet() {
        ChaosFleet.release();
    }
    static final Duration S3_DOWN = Duration.ofSeconds(30);
    /** The services that consume verdant.models.ingested, each in its own group. */
    static final List<String> INGESTED_CONSUMERS = List.of("verdant-quantization", "verdant-pruning",
            "verdant-distillation", "verdant-evaluation", "verdant-carbon");

    @Test
    @Order(1)
    void aPoisonRecordGoesToTheDeadLetterTopicWithTheErrorShownByWatch() {
        ChaosFleet fleet = ChaosFleet.shared();
        String key = "poison-" + UUID.randomUUID();
        try (WatchSession watch = WatchSession.start(fleet.cli(), "--json", "--from-beginning", "--timeout", "3m")) {
            Journeys.sleep(2_000); // the watch's consumer takes its partitions
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, fleet.kafkaBootstrapServers(),
                    ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                    ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName()))) {
                producer.send(new ProducerRecord<>(Topics.MODELS_INGESTED, key,
                        "this is not a CloudEvent".getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new AssertionError("could not send the poison record", e);
            }
            long t0 = System.nanoTime();
            await("a dead letter of " + key + " from each of " + INGESTED_CONSUMERS, Duration.ofSeconds(90),
                    () -> deadLetters(fleet, key).size() >= INGESTED_CONSUMERS.size());
            List<ConsumerRecord<String, byte[]>> letters = deadLetters(fleet, key);
            System.out.printf("OutageIT: poison on %s -> %d dead letters in %.1f s:%n", Topics.MODELS_INGESTED,
                    letters.size(), (System.nanoTime() - t0) / 1e9);
            for (ConsumerRecord<String, byte[]> r : letters) {
                System.out.printf("  from %s@%s: %s%n", RunAudit.header(r, "dead-letter-topic"),
                        RunAudit.header(r, "dead-letter-offset"), RunAudit.header(r, "dead-letter-reason"));
            }
            assertThat(letters).hasSize(INGESTED_CONSUMERS.size());
            assertThat(letters).allSatisfy(r -> {
                assertThat(RunAudit.header(r, "dead-letter-reason")).as("the error travels with the record")
                        .contains("not a CloudEvent");
                assertThat(RunAudit.header(r, "dead-letter-topic")).isEqualTo(Topics.MODELS_INGESTED);
                assertThat(new String(r.value(), StandardCharsets.UTF_8)).isEqualTo("this is not a CloudEvent");
            });
            WatchSession.Line shown = watch.await("the dead letter in verdant watch", l -> l.json() != null
                    && Topics.DEAD_LETTER.equals(l.json().path("topic").asText()) && key.equals(l.json().path("key")
                            .asText()), Duration.ofSeconds(30));
            System.out.println("OutageIT: verdant watch --json showed: " + shown.text());
            assertThat(shown.json().path("error").asText()).contains("not a CloudEvent");
        }
    }

    @Test
    @Order(2)
    void aRunGoesThroughA30sStoreOutageAndABrokerRestart() throws IOException {
        ChaosFleet fleet = ChaosFleet.shared();
        ChaosRun run = ChaosRun.tiny(fleet, "outage", 903);
        long t0 = System.nanoTime();
        String runId = run.submit(fleet);

        await("model.ingested of " + runId, Duration.ofSeconds(90), () -> RunAudit.events(fleet,
                Topics.MODELS_INGESTED, ModelIngested.class).stream().anyMatch(e -> runId.equals(e.event().runId())));
        Instant down = Instant.now();
        fleet.stopS3();
        System.out.printf("OutageIT: S3 stopped %.1f s after submit, for %d s%n", (System.nanoTime() - t0) / 1e9,
                S3_DOWN.toSeconds());
        Journeys.sleep(S3_DOWN.toMillis());
        fleet.startS3();
        double s3Outage = Duration.between(down, Instant.now()).toMillis() / 1e3;
        System.out.printf("OutageIT: S3 back after %.1f s%n", s3Outage);

        // The broker next, while the run is still being evaluated.
        await("a first evaluation of " + runId, Duration.ofSeconds(180), () -> RunAudit.events(fleet,
                Topics.EVALUATIONS, VariantEvaluated.class).stream().anyMatch(e -> runId.equals(e.event().runId())));
        long k0 = System.nanoTime();
        fleet.stopKafka();
        fleet.startKafka();
        double kafkaOutage = (System.nanoTime() - k0) / 1e9;
        System.out.printf("OutageIT: Kafka broker restarted (stop + start) in %.1f s%n", kafkaOutage);

        RunReported report = ChaosRun.awaitReport(fleet, runId, Duration.ofMinutes(6));
        System.out.printf("OutageIT: run %s reported %s in %.1f s after submit%n", runId, report.status(),
                (System.nanoTime() - t0) / 1e9);
        RunAudit audit = RunAudit.of(fleet, runId);
        System.out.println("OutageIT: " + audit.summary());
        long retried = 0;
        for (String service : ChaosFleet.SERVICES.keySet()) {
            long lines = Files.readAllLines(fleet.log(service), StandardCharsets.ISO_8859_1).stream()
                    .filter(l -> l.contains("doing the job again in")).count();
            System.out.printf("  %-12s %d job attempt(s) retried after an outage%n", service, lines);
            retried += lines;
        }
        assertThat(retried).as("jobs that met the outage and were done again (OutageRetry)").isPositive();
        audit.assertEveryFactOnce(ChaosRun.VARIANTS, ChaosRun.expectedJobs(runId));
    }

    private static List<ConsumerRecord<String, byte[]>> deadLetters(ChaosFleet fleet, String key) {
        return Journeys.readAll(fleet.kafkaBootstrapServers(), Topics.DEAD_LETTER).stream()
                .filter(r -> key.equals(r.key())).toList();
    }

    static void await(String what, Duration timeout, BooleanSupplier condition) {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            try {
                if (condition.getAsBoolean()) {
                    return;
                }
            } catch (RuntimeException | AssertionError notYet) {
                // the broker or store is coming back: ask again
            }
            Journeys.sleep(500);
        }
        throw new AssertionError("no " + what + " within " + timeout.toSeconds() + " s");
    }
}
