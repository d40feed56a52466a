package dev.verdant.carbon.service.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.verdant.carbon.CarbonIntensities;
import dev.verdant.carbon.EmissionsCsv;
import dev.verdant.carbon.LedgerEntries;
import dev.verdant.events.BucketLayout;
import dev.verdant.events.CarbonLedgerEntry;
import dev.verdant.events.EventJson;
import dev.verdant.events.EventType;
import dev.verdant.events.JobUsage;
import dev.verdant.events.ModelIngested;
import dev.verdant.events.RunReported;
import dev.verdant.events.VariantEvaluated;
import dev.verdant.events.VariantFailed;
import dev.verdant.events.VerdantEvent;
import dev.verdant.store.PatientWrite;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The carbon service's logic, without a framework. Every fact received is written to the bucket under
 * its run ({@link CarbonKeys}), named by its own id, so a redelivered event rewrites the same object,
 * a restarted instance loses nothing, and several instances share one state. A run is reported when
 * every expected model (the original and each planned variant) is evaluated or failed and their
 * evaluate usage is in (or {@code usageSettle} has passed), or when {@code runTimeout} has passed since
 * its ingestion; {@code runs/<runId>/carbon/reported.json} makes that happen once.
 *
 * <p>A run is known when ingest's marker {@code runs/<runId>/run.json} exists (ingest writes it before
 * it emits anything for the run) or the carbon service stored its ModelIngested. An event of an unknown
 * run is parked under {@code system/carbon/parked/} (its partition moves on); {@link #sweep} replays it
 * once the marker appears, or hands it back as a dead letter after {@code unknownRunGrace}.
 */
public final class CarbonAccounting {
    public static final String SERVICE = CarbonKeys.SERVICE;

    private final FactStore store;
    private final CarbonIntensities intensities;
    private final CarbonSettings settings;
    private final Clock clock;
    private final EmissionsCsv csv;
    /** One report at a time per run inside this JVM; the claim object does it between instances. */
    private final Map<String, Object> runLocks = new ConcurrentHashMap<>();

    public CarbonAccounting(FactStore store, CarbonIntensities intensities, CarbonSettings settings, Clock clock) {
        this.store = store;
        this.intensities = intensities;
        this.settings = settings;
        this.clock = clock;
        this.csv = new EmissionsCsv(intensities);
    }

    public CarbonSettings settings() {
        return settings;
    }

    // ---- receiving -------------------------------------------------------------------------------

    /** A run started: its plan and carbon context. */
    public Received onModelIngested(ModelIngested run) {
        requireRunId(run);
        if (!store.exists(CarbonKeys.plan(run.runId()))) {
            store.put(CarbonKeys.plan(run.runId()), EventJson.toBytes(run));
        }
        if (!store.exists(CarbonKeys.reported(run.runId()))) {
            store.put(CarbonKeys.open(run.runId()), openIndex(run));
        }
        return new Received.Recorded(run.runId(), null);
    }

    /** A job's usage: priced with the run's region and PUE into a ledger entry. */
    public Received onUsage(JobUsage job) {
        requireRunId(job);
        Optional<ModelIngested> run = knownRun(job.runId());
        if (run.isEmpty()) {
            return park(job, "usage:" + job.jobId());
        }
        PricingContext ctx = PricingContext.of(run.get(), intensities);
        LedgerEntries.Pricing pricing = LedgerEntries.price(job, ctx.intensity(), ctx.pue(), clock.instant());
        if (pricing instanceof LedgerEntries.Refused r) {
            String message = "job " + job.jobId() + " of run " + job.runId() + ": " + r.reason() + ": " + r.message();
            store.put(CarbonKeys.refused(job.runId(), job.jobId()), EventJson.toBytes(Map.of("jobId", job.jobId(),
                    "reason", r.reason().name(), "message", message)));
            return new Received.Refused(job.runId(), r.reason().name(), message);
        }
        CarbonLedgerEntry entry = ((LedgerEntries.Priced) pricing).entry();
        String ledgerKey = CarbonKeys.ledger(job.runId(), job.jobId());
        Optional<CarbonLedgerEntry> before = store.get(ledgerKey)
                .map(b -> EventJson.fromBytes(b, CarbonLedgerEntry.class));
        if (before.isPresent() && sameFigures(before.get(), entry)) {
            entry = before.get(); // a redelivery: publish the entry as first priced (same recordedAt)
        } else {
            store.put(ledgerKey, EventJson.toBytes(entry));
        }
        store.put(CarbonKeys.usage(job.runId(), job.jobId()), EventJson.toBytes(job));
        store.delete(CarbonKeys.refused(job.runId(), job.jobId()));
        return new Received.Recorded(job.runId(), entry);
    }

    public Received onEvaluated(VariantEvaluated evaluated) {
        requireRunId(evaluated);
        if (knownRun(evaluated.runId()).isEmpty()) {
            return park(evaluated, "evaluated:" + evaluated.variantId());
        }
        store.put(CarbonKeys.evaluated(evaluated.runId(), evaluated.variantId()), EventJson.toBytes(evaluated));
        return new Received.Recorded(evaluated.runId(), null);
    }

    public Received onFailed(VariantFailed failed) {
        requireRunId(failed);
        if (knownRun(failed.runId()).isEmpty()) {
            return park(failed, "failed:" + failed.variantId());
        }
        store.put(CarbonKeys.failed(failed.runId(), failed.variantId()), EventJson.toBytes(failed));
        return new Received.Recorded(failed.runId(), null);
    }

    /** Routes any event this service consumes. */
    public Received receive(VerdantEvent event) {
        if (event instanceof ModelIngested m) {
            return onModelIngested(m);
        }
        if (event instanceof JobUsage u) {
            return onUsage(u);
        }
        if (event instanceof VariantEvaluated e) {
            return onEvaluated(e);
        }
        if (event instanceof VariantFailed f) {
            return onFailed(f);
        }
        throw new IllegalArgumentException("the carbon service does not consume " + event.type().ceType());
    }

    private static void requireRunId(VerdantEvent event) {
        if (event.runId() == null || event.runId().isBlank()) {
            throw new IllegalArgumentException(event.type().ceType() + " without a run id: nothing to account it to");
        }
    }

    /**
     * The run's plan: the carbon service's copy, else ingest's marker (then copied, and the run opened,
     * so a run whose ModelIngested has not been consumed yet is still reported or timed out).
     */
    Optional<ModelIngested> knownRun(String runId) {
        Optional<byte[]> own = store.get(CarbonKeys.plan(runId));
        if (own.isPresent()) {
            return Optional.of(EventJson.fromBytes(own.get(), ModelIngested.class));
        }
        Optional<byte[]> marker = store.get(BucketLayout.runMarkerKey(runId));
        if (marker.isEmpty()) {
            return Optional.empty();
        }
        ModelIngested run = EventJson.fromBytes(marker.get(), ModelIngested.class);
        onModelIngested(run);
        return Optional.of(run);
    }

    private Received park(VerdantEvent event, String factId) {
        String key = CarbonKeys.parked(event.runId(), factId);
        if (!store.exists(key)) {
            ObjectNode parked = EventJson.mapper().createObjectNode();
            parked.put("type", event.type().ceType());
            parked.put("receivedAt", clock.instant().toString());
            parked.set("event", EventJson.toTree(event));
            store.put(key, EventJson.toBytes(parked));
        }
        return new Received.Parked(event.runId(), event.type().ceType() + " of run " + event.runId()
                + " (" + factId + "): no run marker at " + BucketLayout.runMarkerKey(event.runId())
                + "; kept aside until it appears, sent to the dead letters after " + VerdictBuilder.human(
                        settings.unknownRunGrace()));
    }

    private static byte[] openIndex(ModelIngested run) {
        return EventJson.toBytes(Map.of("runId", run.runId(), "ingestedAt", String.valueOf(run.ingestedAt())));
    }

    private static boolean sameFigures(CarbonLedgerEntry a, CarbonLedgerEntry b) {
        return a.energyKwh() == b.energyKwh() && a.emissionsG() == b.emissionsG() && a.pue() == b.pue()
                && a.carbonIntensityGPerKwh() == b.carbonIntensityGPerKwh()
                && java.util.Objects.equals(a.durationSeconds(), b.durationSeconds());
    }

    // ---- the sweep ---------------------------------------------------------------------------------

    /** A parked event whose run never appeared: for the dead-letter topic, then {@link #forget}. */
    public record DeadLetter(String parkedKey, VerdantEvent event, String reason) {
    }

    /**
     * @param replayed parked events whose run's marker appeared, now received (publish their ledger entries)
     * @param deadLetters parked events past the grace period
     * @param openRuns runs not reported yet: check each with {@link #prepareReport}
     */
    public record Sweep(List<Received> replayed, List<DeadLetter> deadLetters, List<String> openRuns) {
    }

    public Sweep sweep() {
        Instant now = clock.instant();
        List<Received> replayed = new ArrayList<>();
        List<DeadLetter> dead = new ArrayList<>();
        Set<String> runsToCheck = new LinkedHashSet<>();
        for (String key : store.list(CarbonKeys.parkedPrefix())) {
            Optional<byte[]> bytes = store.get(key);
            if (bytes.isEmpty()) {
                continue;
            }
            JsonNode parked = EventJson.readTree(bytes.get());
            Optional<EventType> type = EventType.ofCeType(parked.path("type").asText());
            if (type.isEmpty()) {
                store.delete(key);
                continue;
            }
            VerdantEvent event = EventJson.mapper().convertValue(parked.get("event"), type.get().javaType());
            Instant receivedAt = Instant.parse(parked.path("receivedAt").asText());
            if (knownRun(event.runId()).isPresent()) {
                replayed.add(receive(event));
                store.delete(key);
                runsToCheck.add(event.runId());
            } else if (!now.isBefore(receivedAt.plus(settings.unknownRunGrace()))) {
                dead.add(new DeadLetter(key, event, "UNKNOWN_RUN: " + type.get().ceType() + " of run " + event.runId()
                        + " received at " + receivedAt + ", and after " + VerdictBuilder.human(settings.unknownRunGrace())
                        + " there is still no run marker at " + BucketLayout.runMarkerKey(event.runId())
                        + ": the run was never ingested (or its marker was deleted); check the run id"));
            }
        }
        for (String key : store.list(CarbonKeys.openPrefix())) {
            String name = key.substring(CarbonKeys.openPrefix().length());
            Optional<byte[]> bytes = store.get(key);
            bytes.ifPresent(b -> runsToCheck.add(EventJson.readTree(b).path("runId").asText(
                    name.endsWith(".json") ? name.substring(0, name.length() - 5) : name)));
        }
        return new Sweep(replayed, dead, new ArrayList<>(runsToCheck));
    }

    /** The dead letter was sent: the parked event goes. */
    public void forget(DeadLetter letter) {
        store.delete(letter.parkedKey());
    }

    // ---- reporting ---------------------------------------------------------------------------------

    /** A report written to the bucket. */
    public record PreparedReport(RunReported event, String html, String emissionsCsv) {
    }

    /**
     * Reports the run if it is ready (every model accounted for, or timed out), not reported yet and not
     * being reported by another instance: builds and stores report.json, report.html and emissions.csv,
     * hands the event to {@code emit} (which returns once the broker has it), then writes the marker. All
     * under one lock per run, so two threads of this instance (a listener and the sweep) cannot both emit.
     *
     * @return the report emitted, or empty when nothing was to be done
     */
    public Optional<PreparedReport> reportIfReady(String runId, java.util.function.Consumer<RunReported> emit) {
        synchronized (runLocks.computeIfAbsent(runId, k -> new Object())) {
            Optional<PreparedReport> prepared = prepareReport(runId);
            prepared.ifPresent(p -> {
                emit.accept(p.event());
                markReportedPatiently(p.event());
            });
            return prepared;
        }
    }

    /** Builds and stores the report if the run is ready; does not mark it reported (see {@link #reportIfReady}). */
    Optional<PreparedReport> prepareReport(String runId) {
        synchronized (runLocks.computeIfAbsent(runId, k -> new Object())) {
            if (store.exists(CarbonKeys.reported(runId))) {
                store.delete(CarbonKeys.open(runId));
                return Optional.empty();
            }
            Optional<byte[]> planBytes = store.get(CarbonKeys.plan(runId));
            if (planBytes.isEmpty()) {
                return Optional.empty();
            }
            ModelIngested plan = EventJson.fromBytes(planBytes.get(), ModelIngested.class);
            Instant now = clock.instant();
            RunFacts facts = facts(plan);
            boolean timedOut = plan.ingestedAt() != null
                    && !now.isBefore(plan.ingestedAt().plus(settings.runTimeout()));
            if (!timedOut && !ready(facts, now)) {
                return Optional.empty();
            }
            if (!claim(runId, now)) {
                return Optional.empty();
            }
            PricingContext ctx = PricingContext.of(plan, intensities);
            RunReported report = VerdictBuilder.build(facts, ctx, settings, timedOut, now);
            String html = ReportHtml.render(report);
            String emissions = csv.toCsv(facts.ledger().values().stream()
                    .sorted(Comparator.comparing(CarbonLedgerEntry::recordedAt).thenComparing(CarbonLedgerEntry::jobId))
                    .map(e -> new EmissionsCsv.Entry(e, host(facts.usage().get(e.jobId())), null)).toList());
            store.put(report.reportKeys().emissionsCsv(), emissions.getBytes(StandardCharsets.UTF_8));
            store.put(report.reportKeys().html(), html.getBytes(StandardCharsets.UTF_8));
            store.put(report.reportKeys().json(), EventJson.toPrettyJson(report).getBytes(StandardCharsets.UTF_8));
            return Optional.of(new PreparedReport(report, html, emissions));
        }
    }

    /**
     * The verdict is published: its marker is written patiently ({@link PatientWrite}). Were a store
     * outage to fail it, the record's retry or the next sweep would build and publish the verdict
     * again (same id, a later reportedAt).
     */
    private void markReportedPatiently(RunReported report) {
        PatientWrite.run(() -> markReported(report));
    }

    /** The report was emitted (acknowledged by the broker): never again for this run. */
    void markReported(RunReported report) {
        store.put(CarbonKeys.reported(report.runId()), EventJson.toBytes(report));
        store.delete(CarbonKeys.open(report.runId()));
        store.delete(CarbonKeys.claim(report.runId()));
    }

    /** Whether the run's verdict was emitted. */
    public boolean reported(String runId) {
        return store.exists(CarbonKeys.reported(runId));
    }

    private boolean ready(RunFacts facts, Instant now) {
        if (!facts.allModelsAccountedFor()) {
            return false;
        }
        if (facts.usageNotReceived().isEmpty()) {
            return true;
        }
        Instant last = facts.lastResultAt();
        return last == null || !now.isBefore(last.plus(settings.usageSettle()));
    }

    /**
     * Takes the run for this instance unless another instance's claim is younger than claimTtl. Read
     * back after writing: of two instances writing at once, the later write wins and the earlier
     * writer backs off. S3 offers no compare-and-set here, so this narrows the race, and the
     * CloudEvents id {@code reported:<runId>} lets a consumer drop the rare duplicate.
     */
    private boolean claim(String runId, Instant now) {
        String key = CarbonKeys.claim(runId);
        Optional<JsonNode> current = store.get(key).map(EventJson::readTree);
        if (current.isPresent() && !settings.instanceId().equals(current.get().path("owner").asText())
                && now.isBefore(Instant.parse(current.get().path("at").asText()).plus(settings.claimTtl()))) {
            return false;
        }
        store.put(key, EventJson.toBytes(Map.of("owner", settings.instanceId(), "at", now.toString())));
        return store.get(key).map(EventJson::readTree)
                .map(n -> settings.instanceId().equals(n.path("owner").asText())).orElse(false);
    }

    RunFacts facts(ModelIngested plan) {
        String runId = plan.runId();
        Map<String, VariantEvaluated> evaluated = new HashMap<>();
        Map<String, VariantFailed> failed = new HashMap<>();
        Map<String, JobUsage> usage = new HashMap<>();
        Map<String, CarbonLedgerEntry> ledger = new HashMap<>();
        List<String> refused = new ArrayList<>();
        String base = CarbonKeys.carbon(runId);
        for (String key : store.list(base)) {
            String rest = key.substring(base.length());
            Optional<byte[]> bytes = store.get(key);
            if (bytes.isEmpty()) {
                continue;
            }
            if (rest.startsWith("evaluated/")) {
                VariantEvaluated e = EventJson.fromBytes(bytes.get(), VariantEvaluated.class);
                evaluated.put(e.variantId(), e);
            } else if (rest.startsWith("failed/")) {
                VariantFailed f = EventJson.fromBytes(bytes.get(), VariantFailed.class);
                failed.put(f.variantId(), f);
            } else if (rest.startsWith("usage/")) {
                JobUsage u = EventJson.fromBytes(bytes.get(), JobUsage.class);
                usage.put(u.jobId(), u);
            } else if (rest.startsWith("ledger/")) {
                CarbonLedgerEntry l = EventJson.fromBytes(bytes.get(), CarbonLedgerEntry.class);
                ledger.put(l.jobId(), l);
            } else if (rest.startsWith("refused/")) {
                refused.add(EventJson.readTree(bytes.get()).path("message").asText());
            }
        }
        return new RunFacts(plan, evaluated, failed, usage, ledger, refused);
    }

    private static JobUsage.Host host(JobUsage usage) {
        return usage == null ? null : usage.host();
    }
}
