package dev.verdant.cli;

import dev.verdant.events.BucketLayout;
import dev.verdant.events.Hashes;
import dev.verdant.events.RecipeParser;
import dev.verdant.events.RunIds;
import dev.verdant.store.ArtifactStore;
import dev.verdant.store.S3Settings;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * Uploads a model to the bucket the way a user with any S3 client would: tokenizer and recipe first,
 * the model last (the model is the trigger). Prints the run id the upload will get, computed the
 * same way ingest does, so {@code verdant watch --run} can follow it.
 */
@Command(name = "submit", description = "Upload an ONNX model (with its tokenizer.json and an optional recipe) to start a run.")
final class SubmitCommand implements Callable<Integer> {
    @ParentCommand
    VerdantCli cli;

    @Parameters(index = "0", paramLabel = "MODEL.onnx", description = "the ONNX model")
    Path model;

    @Option(names = "--tokenizer", paramLabel = "FILE", description = "its tokenizer.json (default: tokenizer.json beside the model)")
    Path tokenizer;

    @Option(names = "--recipe", paramLabel = "FILE", description = "recipe YAML (default: Verdant's default recipe)")
    Path recipe;

    @Option(names = "--name", description = "submission folder under uploads/ (default: the model's file name)")
    String name;

    @Override
    public Integer call() throws IOException {
        requireFile(model, "model");
        Path tok = tokenizer != null ? tokenizer : model.toAbsolutePath().resolveSibling("tokenizer.json");
        if (!Files.isRegularFile(tok)) {
            throw new CliException("no tokenizer: " + tok + " does not exist; pass --tokenizer FILE");
        }
        if (recipe != null) {
            requireFile(recipe, "recipe");
        }
        String folder = BucketLayout.UPLOADS_PREFIX + submissionName() + "/";
        Endpoints endpoints = Endpoints.load(cli.workspace());
        try (ArtifactStore store = new ArtifactStore(new S3Settings(endpoints.s3Endpoint(), endpoints.accessKey(),
                endpoints.secretKey(), endpoints.bucket(), "us-east-1"))) {
            store.ensureBucket();
            store.put(folder + BucketLayout.TOKENIZER_FILE, tok, "application/json", Map.of());
            if (recipe != null) {
                store.put(folder + BucketLayout.RECIPE_FILE, recipe, "application/yaml", Map.of());
            } else {
                // A recipe left over from an earlier submission under this name must not apply to this one.
                if (store.exists(folder + BucketLayout.RECIPE_FILE)) {
                    store.delete(folder + BucketLayout.RECIPE_FILE);
                }
            }
            store.put(folder + "model.onnx", model, "application/octet-stream", Map.of());
        }
        cli.out().printf("uploaded %s (%,d bytes) to s3://%s/%smodel.onnx%n", model, Files.size(model),
                endpoints.bucket(), folder);
        expectedRunId().ifPresent(id -> cli.out().printf("run id: %s   (follow it: ./verdant watch --run %s)%n", id, id));
        return 0;
    }

    /** Uploads as {@link #call()} does and returns the run id ingest will give the upload. */
    java.util.Optional<String> submit() throws IOException {
        call();
        return expectedRunId();
    }

    /** The id ingest will give the run; empty when the recipe is invalid (ingest will say why). */
    private java.util.Optional<String> expectedRunId() throws IOException {
        RecipeParser.Result parsed = recipe == null ? RecipeParser.defaultRecipe()
                : RecipeParser.parse(Files.readAllBytes(recipe));
        if (!(parsed instanceof RecipeParser.Valid valid)) {
            cli.out().println("warning: " + ((RecipeParser.Invalid) parsed).message());
            return java.util.Optional.empty();
        }
        var digest = Hashes.sha256Digest();
        try (InputStream in = new DigestInputStream(Files.newInputStream(model), digest)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return java.util.Optional.of(RunIds.runId(Hashes.hex(digest.digest()), valid.sha256()));
    }

    private String submissionName() {
        String raw = name != null ? name : model.getFileName().toString().replaceFirst("(?i)\\.onnx$", "");
        String clean = raw.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]+", "-").replaceAll("^[-.]+", "");
        if (clean.isEmpty()) {
            throw new CliException("--name " + raw + " has no usable characters: use letters, digits, '-', '_' or '.'");
        }
        return clean;
    }

    private static void requireFile(Path file, String what) {
        if (!Files.isRegularFile(file)) {
            throw new CliException("no " + what + " file at " + file);
        }
    }
}
