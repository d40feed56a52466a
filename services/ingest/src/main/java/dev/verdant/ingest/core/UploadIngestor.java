package dev.verdant.ingest.core;

import dev.verdant.events.Artifact;
import dev.verdant.events.BucketLayout;
import dev.verdant.events.EventJson;
import dev.verdant.events.Hashes;
import dev.verdant.events.ModelIngested;
import dev.verdant.events.ModelRejected;
import dev.verdant.events.ModelRejected.Reason;
import dev.verdant.events.RecipeParser;
import dev.verdant.events.RunIds;
import dev.verdant.events.Upload;
import dev.verdant.onnx.EncoderArchitecture;
import dev.verdant.onnx.Inspection;
import dev.verdant.onnx.InspectionPolicy;
import dev.verdant.onnx.ModelFacts;
import dev.verdant.onnx.OnnxModelInspector;
import dev.verdant.onnx.TensorSignature;
import dev.verdant.store.ArtifactKeyException;
import dev.verdant.store.ArtifactKeys;
import dev.verdant.store.ArtifactStore;
import dev.verdant.store.ObjectInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns one model upload into a run, or into a rejection a person can act on. The steps, in order:
 * check the key, check the listed size, download, inspect the ONNX graph, check the tokenizer
 * against the model's vocabulary, read the recipe (or take the default), derive the run id, and
 * store model, tokenizer and recipe under their content addresses.
 *
 * <p>Everything about the user's files ends in a {@link IngestOutcome.Refused}; only the storage
 * being unreachable escapes as an exception, so the upload is retried instead of being lost.
 */
public final class UploadIngestor {
    private static final System.Logger LOG = System.getLogger(UploadIngestor.class.getName());

    private final UploadStore store;
    private final IngestSettings settings;
    private final OnnxModelInspector inspector;
    private final Clock clock;

    public UploadIngestor(ArtifactStore store, IngestSettings settings, Clock clock) {
        this(UploadStore.of(store), settings, clock);
    }

    public UploadIngestor(UploadStore store, IngestSettings settings, Clock clock) {
        this.store = store;
        this.settings = settings;
        this.inspector = new OnnxModelInspector(InspectionPolicy.defaults()
                .withMaxFileBytes(settings.maxModelBytes()));
        this.clock = clock;
    }

    /** The ONNX inspector's limits, which follow the settings. */
    InspectionPolicy inspectionPolicy() {
        return inspector.policy();
    }

    public IngestOutcome ingest(Upload upload) {
        String key = upload.key();
        try {
            ArtifactKeys.validate(key);
        } catch (ArtifactKeyException e) {
            return refused(upload, null, null, Reason.INVALID_KEY, "the object key " + printable(key)
                    + " is not accepted (" + e.getMessage() + "): upload the model under uploads/<name>/model.onnx");
        }
        if (!BucketLayout.isModelUpload(key)) {
            return refused(upload, null, null, Reason.INVALID_KEY, "the object key " + printable(key)
                    + " is not a model upload: models go under uploads/<name>/ and end in .onnx");
        }
        Optional<ObjectInfo> info = store.stat(key);
        if (info.isEmpty()) {
            return refused(upload, null, null, Reason.STORAGE_ERROR, key
                    + " is no longer in the bucket (deleted after it was noticed?): upload it again");
        }
        long size = info.get().size();
        if (size == 0) {
            return refused(upload, null, null, Reason.EMPTY_FILE,
                    key + " is empty (0 bytes): upload the exported .onnx file again");
        }
        if (size > settings.maxModelBytes()) {
            return refused(upload, null, null, Reason.TOO_LARGE, key + " is " + size + " bytes; this Verdant accepts"
                    + " models up to " + settings.maxModelBytes() + " bytes (setting verdant.ingest.max-model-bytes): upload"
                    + " a smaller model (an fp16 or distilled export) or ask the operator to raise the limit");
        }
        Path job = createJobDir();
        try {
            Path modelFile = job.resolve("model.onnx");
            store.download(key, modelFile);
            return inspectAndStart(upload, modelFile, job);
        } finally {
            deleteRecursively(job);
        }
    }

    /** Records that the run's ModelIngested was emitted: later uploads of the same bytes are recognised. */
    public void markStarted(ModelIngested event) {
        store.putBytes(BucketLayout.runMarkerKey(event.runId()), EventJson.toBytes(event), "application/json",
                Map.of("verdant-run-id", event.runId()));
    }

    /**
     * The recipe is read before the model is inspected: with both hashes known, even a rejected
     * model is reported under the run id {@code verdant submit} announced.
     */
    private IngestOutcome inspectAndStart(Upload upload, Path modelFile, Path job) {
        String modelSha = sha256Of(modelFile);
        String folder = BucketLayout.folderOf(upload.key());
        Optional<ObjectInfo> recipeObject = recipeIn(folder);
        Optional<String> recipeKey = recipeObject.map(ObjectInfo::key);
        RecipeParser.Result parsed = recipeObject.isEmpty() ? RecipeParser.defaultRecipe()
                : recipeObject.get().size() > settings.maxRecipeBytes()
                        // Refused from its listed size: a huge file is never downloaded.
                        ? new RecipeParser.Invalid("the recipe is " + recipeObject.get().size() + " bytes; this Verdant"
                                + " accepts recipes up to " + settings.maxRecipeBytes() + " bytes (setting"
                                + " verdant.ingest.max-recipe-bytes): a recipe is a few dozen lines, shorten it")
                        : RecipeParser.parse(store.getBytes(recipeObject.get().key(), settings.maxRecipeBytes()));
        if (parsed instanceof RecipeParser.Invalid invalid) {
            return refused(upload, null, modelSha, Reason.RECIPE_INVALID,
                    recipeKey.orElseThrow() + " (for " + upload.key() + "): " + invalid.message());
        }
        RecipeParser.Valid recipe = (RecipeParser.Valid) parsed;
        String runId = RunIds.runId(modelSha, recipe.sha256());

        Inspection inspection = inspector.inspect(modelFile);
        if (inspection instanceof Inspection.Rejected rejected) {
            return refused(upload, runId, modelSha, reasonOf(rejected), upload.key() + ": " + rejected.message());
        }
        ModelFacts facts = ((Inspection.Accepted) inspection).facts();
        EncoderArchitecture arch = facts.architecture();

        Path tokenizerFile = job.resolve("tokenizer.json");
        String tokenizerKey = folder + BucketLayout.TOKENIZER_FILE;
        Optional<ObjectInfo> tokenizerInfo = store.stat(tokenizerKey);
        if (tokenizerInfo.isEmpty()) {
            return refused(upload, runId, modelSha, Reason.TOKENIZER_MISSING, "no " + tokenizerKey + " beside "
                    + upload.key() + ": upload the model's tokenizer.json there first, then the model again");
        }
        if (tokenizerInfo.get().size() > settings.maxTokenizerBytes()) {
            return refused(upload, runId, modelSha, Reason.TOKENIZER_INVALID, tokenizerKey + " (beside "
                    + upload.key() + ") is " + tokenizerInfo.get().size() + " bytes; this Verdant accepts tokenizers up to "
                    + settings.maxTokenizerBytes() + " bytes (setting verdant.ingest.max-tokenizer-bytes): upload the"
                    + " tokenizer.json saved with the model, or ask the operator to raise the limit");
        }
        store.download(tokenizerKey, tokenizerFile);
        Optional<TokenizerCheck.Vocabulary> vocabulary = TokenizerCheck.read(tokenizerFile);
        if (vocabulary.isEmpty()) {
            return refused(upload, runId, modelSha, Reason.TOKENIZER_INVALID, tokenizerKey + " (beside "
                    + upload.key() + ") is not a HuggingFace tokenizer.json (no model.vocab):"
                    + " upload the tokenizer.json saved with the model");
        }
        if (vocabulary.get().size() > arch.vocabularySize()) {
            return refused(upload, runId, modelSha, Reason.TOKENIZER_MISMATCH, tokenizerKey + " can produce "
                    + vocabulary.get().size() + " token ids but the embedding table of " + upload.key() + " has "
                    + arch.vocabularySize() + " rows: this tokenizer belongs to another model; upload the tokenizer.json"
                    + " saved with this one");
        }

        // Only a complete, valid upload can be "the same run again": a copy with a broken tokenizer
        // is still told what is wrong with it.
        if (store.exists(BucketLayout.runMarkerKey(runId))) {
            return new IngestOutcome.AlreadyStarted(runId, upload.key());
        }
        Artifact model = storeOnce(BucketLayout.modelKey(modelSha), modelFile, modelSha, "application/octet-stream");
        String tokenizerSha = sha256Of(tokenizerFile);
        Artifact tokenizer = storeOnce(BucketLayout.tokenizerKey(tokenizerSha), tokenizerFile, tokenizerSha,
                "application/json");
        store.putBytes(BucketLayout.runRecipeKey(runId), EventJson.toCanonicalBytes(recipe.recipe()),
                "application/json", Map.of("verdant-run-id", runId));

        ModelIngested.RecipeSource recipeSource = recipeKey.isPresent()
                ? ModelIngested.RecipeSource.UPLOADED : ModelIngested.RecipeSource.DEFAULT;
        return new IngestOutcome.Started(new ModelIngested(runId, modelSha, model, tokenizer, recipe.recipe(),
                recipe.sha256(), recipeSource, recipe.plan(), upload,
                new ModelIngested.GraphSummary((int) facts.irVersion(), (int) facts.opsetVersion(), producer(facts),
                        tensors(facts.inputs()), tensors(facts.outputs()), facts.nodeCount(), facts.parameterCount()),
                new ModelIngested.Architecture(arch.family().name().toLowerCase(java.util.Locale.ROOT), arch.layers(),
                        arch.hiddenSize(), arch.attentionHeads(), arch.ffnSize(), arch.vocabularySize(),
                        arch.maxPositions() > 0 ? arch.maxPositions() : null, arch.hasTokenTypeInput()),
                clock.instant()));
    }

    private Optional<ObjectInfo> recipeIn(String folder) {
        for (String name : List.of(BucketLayout.RECIPE_FILE, BucketLayout.RECIPE_FILE_ALT)) {
            Optional<ObjectInfo> recipe = store.stat(folder + name);
            if (recipe.isPresent()) {
                return recipe;
            }
        }
        return Optional.empty();
    }

    /** Content-addressed: the same bytes uploaded again are not stored again (the store records their sha256). */
    private Artifact storeOnce(String key, Path file, String sha256, String contentType) {
        long size = sizeOf(file);
        if (!store.exists(key)) {
            store.put(key, file, contentType, Map.of());
        }
        return new Artifact(key, size, sha256);
    }

    private IngestOutcome.Refused refused(Upload upload, String runId, String sha, Reason reason, String message) {
        return new IngestOutcome.Refused(new ModelRejected(runId, sha, upload, reason, message, clock.instant()));
    }

    private static Reason reasonOf(Inspection.Rejected rejected) {
        try {
            return Reason.valueOf(rejected.reason().name());
        } catch (IllegalArgumentException unknown) {
            // UNREADABLE: the file was just downloaded by this service, so the problem is ours.
            return Reason.INSPECTION_FAILED;
        }
    }

    private static String producer(ModelFacts facts) {
        return (facts.producerName() + " " + facts.producerVersion()).trim();
    }

    private static List<ModelIngested.Tensor> tensors(List<TensorSignature> signatures) {
        return signatures.stream().map(t -> new ModelIngested.Tensor(t.name(), t.elementType(), t.shape())).toList();
    }

    /** Keys are shown escaped: a hostile key must not write control characters into logs or terminals. */
    static String printable(String key) {
        StringBuilder out = new StringBuilder("\"");
        key.codePoints().limit(300).forEach(c -> {
            if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') {
                out.append(String.format("\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.append(key.length() > 300 ? "...\"" : "\"").toString();
    }

    private Path createJobDir() {
        try {
            Files.createDirectories(settings.workDir());
            return Files.createTempDirectory(settings.workDir(), "ingest-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a work folder in " + settings.workDir(), e);
        }
    }

    private static String sha256Of(Path file) {
        var digest = Hashes.sha256Digest();
        try (var in = new java.security.DigestInputStream(Files.newInputStream(file), digest)) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return Hashes.hex(digest.digest());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ", which this service just downloaded", e);
        }
    }

    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteRecursively(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "could not clean up " + dir + ": " + e.getMessage());
        }
    }
}
