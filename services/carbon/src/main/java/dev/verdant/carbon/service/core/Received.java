package dev.verdant.carbon.service.core;

import dev.verdant.events.CarbonLedgerEntry;

/** What became of one event the carbon service received. */
public sealed interface Received {

    String runId();

    /** Stored with its run; {@code ledgerEntry} is the priced usage to publish (null for other facts). */
    record Recorded(String runId, CarbonLedgerEntry ledgerEntry) implements Received {
    }

    /** The run has no marker yet: kept aside, re-checked by the sweep, dropped to the dead letters after the grace. */
    record Parked(String runId, String message) implements Received {
    }

    /** The event cannot be accounted for (usage that cannot be priced): a dead letter with this reason. */
    record Refused(String runId, String reason, String message) implements Received {
    }
}
