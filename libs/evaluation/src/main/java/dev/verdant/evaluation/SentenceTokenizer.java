package dev.verdant.evaluation;

import ai.djl.engine.EngineException;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.TokenizersLibrary;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * DJL's HuggingFace tokenizer over a tokenizer.json, set up the same way every time: special
 * tokens added, truncation to {@code maxLength} tokens, padding to the longest sentence of each
 * batch.
 *
 * <p>The padding is Verdant's, not the file's: MiniLM's tokenizer.json asks for Fixed(128), and
 * padding every sentence to 128 tokens gives the same pooled vectors (the mask hides padding) but
 * costs 8-10x the compute on STS sentences, which average about 15 tokens.
 *
 * <p>Sentences are encoded one by one through DJL's JNI binding of the same native library, taking
 * only ids, attention mask and type ids, then padded here. DJL's {@code batchEncode} builds an
 * Encoding per sentence with tokens, word ids and character spans (nine native calls and dozens of
 * objects), and hands the batch to a Rust thread pool that competes with ONNX Runtime's spinning
 * threads on a small machine: measured on 2 cores, 1.9 ms per batch of 32 STS sentences against
 * 0.87 ms this way, the difference between a harness within 5% of bare ONNX Runtime and one above.
 */
final class SentenceTokenizer implements AutoCloseable {

    private static final TokenizersLibrary NATIVE = TokenizersLibrary.LIB;

    private final HuggingFaceTokenizer tokenizer;
    private final long padId;
    private final long padTypeId;

    private SentenceTokenizer(HuggingFaceTokenizer tokenizer, TokenizerVocabulary vocabulary) {
        this.tokenizer = tokenizer;
        this.padId = vocabulary.padId();
        this.padTypeId = vocabulary.padTypeId();
    }

    static SentenceTokenizer open(Path tokenizerJson, int maxLength, TokenizerVocabulary vocabulary)
            throws EvaluationFailure {
        DjlOffline.configure();
        Map<String, String> options = Map.of(
                "addSpecialTokens", "true",
                "padding", "false",         // padded per batch in tokenize()
                "truncation", "true",       // true = LONGEST_FIRST at maxLength
                "maxLength", Integer.toString(maxLength),
                // DJL caps maxLength at modelMaxLength (default 512): make the cap the requested length.
                "modelMaxLength", Integer.toString(maxLength));
        // From a stream, not a path: given a path DJL also looks for tokenizer_config.json beside it,
        // which could change the settings behind Verdant's back.
        try (InputStream in = Files.newInputStream(tokenizerJson)) {
            return new SentenceTokenizer(HuggingFaceTokenizer.newInstance(in, options), vocabulary);
        } catch (IOException e) {
            throw new EvaluationFailure(FailureReason.TOKENIZER_UNREADABLE, "Could not read the tokenizer '"
                    + tokenizerJson + "': " + e.getMessage());
        } catch (EngineException e) {
            throw new EvaluationFailure(FailureReason.RUNTIME_UNAVAILABLE, "The HuggingFace tokenizers native library"
                    + " could not be loaded on this machine (" + rootMessage(e) + "). DJL unpacks it into "
                    + System.getProperty("DJL_CACHE_DIR", System.getenv("DJL_CACHE_DIR"))
                    + "; check that this folder is writable.");
        } catch (RuntimeException e) {
            // The Rust library reports a file it cannot use as a RuntimeException with serde's message.
            throw new EvaluationFailure(FailureReason.TOKENIZER_MALFORMED, "The tokenizer '"
                    + tokenizerJson.getFileName() + "' could not be loaded by the HuggingFace tokenizers library ("
                    + rootMessage(e) + "). Pass the tokenizer.json saved with the model.");
        }
    }

    /** Tokenizes one batch; every sentence comes back padded to the longest. */
    TokenizedBatch tokenize(List<String> sentences) {
        int size = sentences.size();
        long[][] ids = new long[size][];
        long[][] masks = new long[size][];
        long[][] types = new long[size][];
        int length = 0;
        long handle = tokenizer.getHandle();
        for (int i = 0; i < size; i++) {
            long encoding = NATIVE.encode(handle, sentences.get(i), true);
            try {
                ids[i] = NATIVE.getTokenIds(encoding);
                masks[i] = NATIVE.getAttentionMask(encoding);
                types[i] = NATIVE.getTypeIds(encoding);
            } finally {
                NATIVE.deleteEncoding(encoding);
            }
            length = Math.max(length, ids[i].length);
        }
        long[] flatIds = new long[size * length];
        long[] flatMask = new long[size * length];
        long[] flatTypes = new long[size * length];
        for (int i = 0; i < size; i++) {
            int offset = i * length;
            int tokens = ids[i].length;
            System.arraycopy(ids[i], 0, flatIds, offset, tokens);
            System.arraycopy(masks[i], 0, flatMask, offset, tokens);
            System.arraycopy(types[i], 0, flatTypes, offset, tokens);
            java.util.Arrays.fill(flatIds, offset + tokens, offset + length, padId);
            java.util.Arrays.fill(flatTypes, offset + tokens, offset + length, padTypeId);
            // flatMask stays 0 on padding
        }
        return new TokenizedBatch(flatIds, flatMask, flatTypes, size, length);
    }

    @Override
    public void close() {
        tokenizer.close();
    }

    static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return message.replaceAll("\\s+", " ").strip();
    }
}
