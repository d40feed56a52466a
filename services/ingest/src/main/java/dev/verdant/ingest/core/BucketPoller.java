package dev.verdant.ingest.core;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.verdant.events.BucketLayout;
import dev.verdant.events.EventJson;
import dev.verdant.events.Upload;
import dev.verdant.store.ArtifactStore;
import dev.verdant.store.ObjectInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * For storage that sends no bucket notifications (s3proxy, plain S3): lists {@code uploads/} and
 * reports each model object it has not reported before. What it has seen (key to etag and
 * modification time, so an upload of the same key again counts as new) is kept in the bucket
 * itself, at {@code system/ingest/poller-state.json}, so a restarted or rescheduled instance
 * carries on where the last one stopped.
 *
 * <p>Use: {@link #pending()}, publish what it returns, then {@link #remember(List)}. A crash between
 * the two republishes, which is harmless (ingest recognises a run it has already started); the
 * other order could lose an upload.
 */
public final class BucketPoller {
    static final String STATE_KEY = BucketLayout.serviceStateKey("ingest", "poller-state.json");

    private final ArtifactStore store;
    private final String bucket;
    private TreeMap<String, String> seen;
    /** Fingerprints of the objects the last {@link #pending()} listed. */
    private Map<String, String> listed = Map.of();

    public BucketPoller(ArtifactStore store, String bucket) {
        this.store = store;
        this.bucket = bucket;
    }

    /** Model uploads not reported yet, oldest first. */
    public synchronized List<Upload> pending() {
        Map<String, String> known = seen();
        List<ObjectInfo> objects = new ArrayList<>(store.list(BucketLayout.UPLOADS_PREFIX, true));
        objects.sort(java.util.Comparator.comparing(ObjectInfo::lastModified));
        List<Upload> fresh = new ArrayList<>();
        Map<String, String> fingerprints = new java.util.HashMap<>();
        for (ObjectInfo o : objects) {
            fingerprints.put(o.key(), fingerprint(o));
            if (BucketLayout.isModelUpload(o.key()) && !fingerprint(o).equals(known.get(o.key()))) {
                fresh.add(new Upload(bucket, o.key(), o.size(), o.etag(), Upload.Trigger.POLLER));
            }
        }
        listed = fingerprints;
        return fresh;
    }

    /** Records uploads as reported, and forgets keys that are no longer in the bucket. */
    public synchronized void remember(List<Upload> reported) {
        if (reported.isEmpty()) {
            return;
        }
        TreeMap<String, String> next = new TreeMap<>(seen());
        reported.forEach(u -> next.put(u.key(), listed.get(u.key())));
        next.keySet().retainAll(listed.keySet());
        store.putBytes(STATE_KEY, EventJson.toBytes(next), "application/json", Map.of());
        seen = next;
    }

    private static String fingerprint(ObjectInfo o) {
        return o.etag() + "@" + o.lastModified();
    }

    private Map<String, String> seen() {
        if (seen == null) {
            seen = store.exists(STATE_KEY)
                    ? EventJson.mapper().convertValue(EventJson.readTree(store.getBytes(STATE_KEY, 64L << 20)),
                            new TypeReference<TreeMap<String, String>>() { })
                    : new TreeMap<>();
        }
        return seen;
    }
}
