package dev.verdant.ingest.core;

import dev.verdant.events.ModelIngested;
import dev.verdant.events.ModelRejected;

/** What became of one upload. */
public sealed interface IngestOutcome {

    /** A new run: emit the event, then {@link UploadIngestor#markStarted} it. */
    record Started(ModelIngested event) implements IngestOutcome {
    }

    /** The same model bytes with the same recipe already started this run: nothing to emit. */
    record AlreadyStarted(String runId, String key) implements IngestOutcome {
    }

    /** The upload cannot start a run; the event says why. */
    record Refused(ModelRejected event) implements IngestOutcome {
    }
}
