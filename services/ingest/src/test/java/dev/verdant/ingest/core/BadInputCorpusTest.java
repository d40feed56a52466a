package dev.verdant.ingest.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.verdant.events.BucketLayout;
import dev.verdant.events.ModelRejected;
import dev.verdant.events.Upload;
import dev.verdant.store.ArtifactKeyException;
import dev.verdant.store.ArtifactKeys;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every upload of the bad-input corpus (src/test/resources/bad-inputs) through the ingest core:
 * each is refused with its reason and a message that names the problem and what to do; none
 * throws, none leaves anything stored.
 */
class BadInputCorpusTest {
    private static final String BUCKET = "verdant";

    @TempDir
    Path work;

    static List<BadInputCorpus.Case> cases() {
        return BadInputCorpus.cases();
    }

    private UploadIngestor ingestor(MemoryUploadStore store) {
        return new UploadIngestor(store, new IngestSettings(BUCKET, BadInputCorpus.MAX_MODEL_BYTES,
                BadInputCorpus.MAX_TOKENIZER_BYTES, BadInputCorpus.MAX_RECIPE_BYTES, work), Clock.systemUTC());
    }

    /** Tokenizer and recipe beside the model, as a user's upload would put them. */
    static MemoryUploadStore bucketWith(BadInputCorpus.Case c) {
        MemoryUploadStore store = new MemoryUploadStore();
        if (!keyAccepted(c.key())) {
            return store; // S3 itself would hold it; the real store refuses to write such a key
        }
        String folder = BucketLayout.folderOf(c.key());
        if (c.tokenizer() != null) {
            store.add(folder + BucketLayout.TOKENIZER_FILE, c.tokenizer());
        }
        if (c.recipe() != null) {
            store.add(folder + BucketLayout.RECIPE_FILE, c.recipe());
        }
        store.add(c.key(), c.model());
        return store;
    }

    static boolean keyAccepted(String key) {
        try {
            ArtifactKeys.validate(key);
            return true;
        } catch (ArtifactKeyException e) {
            return false;
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void eachBadUploadIsRefusedWithAReasonAPersonCanActOn(BadInputCorpus.Case c) {
        MemoryUploadStore store = bucketWith(c);
        int objectsBefore = store.objects.size();

        IngestOutcome outcome = ingestor(store).ingest(new Upload(BUCKET, c.key(),
                c.model() == null ? null : (long) c.model().length, "etag-" + c.id(), Upload.Trigger.POLLER));

        assertThat(outcome).as(c.id()).isInstanceOf(IngestOutcome.Refused.class);
        ModelRejected rejected = ((IngestOutcome.Refused) outcome).event();
        assertThat(rejected.reason()).as(c.id() + ": " + rejected.message()).isEqualTo(c.reason());
        for (String word : c.words()) {
            assertThat(rejected.message()).as(c.id()).containsIgnoringCase(word);
        }
        // The message reaches logs, terminals and an HTML report: printable and bounded.
        assertThat(rejected.message().codePoints().filter(Character::isISOControl).count()).as(c.id()).isZero();
        assertThat(rejected.message().length()).as(c.id()).isLessThan(2_000);
        assertThat(store.objects).as(c.id() + " stored nothing").hasSize(objectsBefore);
    }

    @Test
    void theCorpusCoversEveryKindOfBadInputTheIssueLists() {
        List<BadInputCorpus.Case> cases = BadInputCorpus.cases();
        assertThat(cases).hasSizeGreaterThanOrEqualTo(20);
        assertThat(cases).extracting(BadInputCorpus.Case::reason).contains(ModelRejected.Reason.EMPTY_FILE,
                ModelRejected.Reason.NOT_ONNX, ModelRejected.Reason.TRUNCATED, ModelRejected.Reason.NESTING_TOO_DEEP,
                ModelRejected.Reason.NOT_AN_ENCODER, ModelRejected.Reason.EXTERNAL_DATA,
                ModelRejected.Reason.RECIPE_INVALID, ModelRejected.Reason.INVALID_KEY,
                ModelRejected.Reason.TOKENIZER_MISMATCH, ModelRejected.Reason.TOO_LARGE);
        assertThat(cases).extracting(BadInputCorpus.Case::id).doesNotHaveDuplicates();
    }

    /** The corpus's good model and tokenizer go through: the refusals above are about the defects. */
    @Test
    void theGoodUploadTheCasesAreMadeFromStartsARun() {
        MemoryUploadStore store = new MemoryUploadStore();
        store.add("uploads/good/tokenizer.json", BadInputCorpus.goodTokenizer());
        byte[] model = BadInputCorpus.goodModel(5);
        store.add("uploads/good/model.onnx", model);

        IngestOutcome outcome = ingestor(store).ingest(new Upload(BUCKET, "uploads/good/model.onnx",
                (long) model.length, "etag", Upload.Trigger.POLLER));

        assertThat(outcome).isInstanceOf(IngestOutcome.Started.class);
        assertThat(((IngestOutcome.Started) outcome).event().architecture().vocabularySize())
                .isEqualTo(BadInputCorpus.VOCABULARY);
    }
}
