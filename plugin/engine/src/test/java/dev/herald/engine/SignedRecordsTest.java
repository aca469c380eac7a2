package dev.herald.engine;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/** Signed records are reused only for the very state they were signed from, and not across a clear. */
class SignedRecordsTest {
    private static final SignedRecord RECORD = new SignedRecord(1, SigningKey.generate("EdDSA", TestValues.NOW), "herald/", TestValues.NOW.plusSeconds(60),
            Map.of("instances", List.of(Map.of("instance", "pod-1"))), List.of("pod-1"));

    private static Registry.Snapshot snapshot(long revision) {
        return new Registry.Snapshot(ServiceState.empty("web"), revision);
    }

    @Test
    void aRecordServesOnlyTheRevisionItWasSignedFrom() {
        SignedRecords records = new SignedRecords();
        records.keep(snapshot(7), "", RECORD, records.stamp("web", ""));
        assertSame(RECORD, records.get(snapshot(7), ""));
        assertNull(records.get(snapshot(8), ""), "the service changed (or was read again) since");
        assertNull(records.get(snapshot(7), "pod-1"), "the service's record is not an instance's");
    }

    @Test
    void aRecordSignedFromBeforeAClearIsNotKept() {
        SignedRecords records = new SignedRecords();
        records.keep(snapshot(7), "", RECORD, records.stamp("web", ""));
        long stamp = records.stamp("web", "pod-1"); // a discover begins, with the config and key of now...
        records.clear(); // ...which change before it has signed
        assertNull(records.get(snapshot(7), ""));
        records.keep(snapshot(7), "pod-1", RECORD, stamp);
        assertNull(records.get(snapshot(7), "pod-1"));
    }
}
