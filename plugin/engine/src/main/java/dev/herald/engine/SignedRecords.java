package dev.herald.engine;

/**
 * The mount's signed records kept for reuse, by service and view: an instance's name, "" for the
 * whole service, or a page's "?after&limit" (see {@code DiscoverPath}).
 * Each is tied to the {@link Registry.Snapshot#revision} it was signed from and served only while
 * the registry holds that revision, so a change of the service, its eviction or the server's
 * invalidation of it leaves its records unused, and a record is never older than its state. What
 * every record carries (the issuer, the signing key, record_ttl) changes with {@link #clear}, which
 * also refuses the records being signed from before it ({@link CacheTable#replace}).
 */
final class SignedRecords {
    /**
     * Records kept, and instances they list: about what records beside the registry's cached
     * services held before they had their own table (a service record and one per instance).
     */
    private static final int MAX_RECORDS = 8192;
    private static final long MAX_LISTED = 16384;

    /** A record and the revision of the state it was signed from. Immutable. */
    private record Kept(long revision, SignedRecord record) {
    }

    private final CacheTable<Kept> table = new CacheTable<>(MAX_RECORDS, MAX_LISTED, kept -> kept.record().listed());

    private static String key(String service, String instance) {
        return service + "/" + instance; // names have no '/': "web/" is the service's record, "web/pod-1" one instance's, "web/?&100" a page
    }

    /** Taken before reading what a record is signed from (config, signing key, the service), for {@link #keep}. */
    long stamp(String service, String instance) {
        return table.stamp(key(service, instance));
    }

    /** The record kept for the instance ("" for the whole service) if it was signed from this snapshot; else null. */
    SignedRecord get(Registry.Snapshot from, String instance) {
        Kept kept = table.get(key(from.state().service(), instance));
        return kept != null && kept.revision() == from.revision() ? kept.record() : null;
    }

    /** Keeps a record signed from {@code from}, unless everything was cleared since {@code stamp}. */
    void keep(Registry.Snapshot from, String instance, SignedRecord record, long stamp) {
        table.replace(key(from.state().service(), instance), new Kept(from.revision(), record), stamp);
    }

    /** What every record carries changed (the issuer, record_ttl, the signing key): none is reused. */
    void clear() {
        table.clear();
    }
}
