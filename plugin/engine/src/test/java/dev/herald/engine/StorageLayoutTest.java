package dev.herald.engine;

import dev.herald.sdk.Operation;
import dev.herald.sdk.Storage;
import dev.herald.sdk.StorageException;
import dev.herald.sdk.VaultException;
import dev.herald.sdk.json.Json;
import dev.herald.sdk.testing.FixedSystemView;
import dev.herald.sdk.testing.InMemoryStorage;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The downgrade guard: a mount whose storage is newer than this version reads is refused, by name. */
class StorageLayoutTest {
    private final InMemoryStorage storage = new InMemoryStorage();

    private EngineFixture mountOver() {
        return new EngineFixture(Map.of(), storage, new MutableClock());
    }

    private Map<String, Object> marker() {
        return Json.parseObject(new String(storage.get(StorageLayout.KEY).orElseThrow(), StandardCharsets.UTF_8));
    }

    private void storeMarker(int layout, String writtenBy) {
        storage.put(StorageLayout.KEY, new StorageLayout.Marker(layout, writtenBy).encode());
    }

    @Test
    void setupRecordsTheLayoutAndTheVersionThatWroteIt() {
        mountOver().backend.initialize();
        assertEquals(Map.of("layout", (long) StorageLayout.CURRENT, "written_by", EngineFixture.VERSION), marker());
    }

    @Test
    void anOlderLayoutIsRaisedAndTheMountServed() {
        storeMarker(StorageLayout.CURRENT - 1, "v0.0.1");
        EngineFixture mount = mountOver();
        mount.backend.initialize();
        assertEquals((long) StorageLayout.CURRENT, marker().get("layout"));
        mount.send(Operation.READ, "config", Map.of()); // does not throw
    }

    @Test
    void aNewerLayoutIsKeptAndEveryRequestButHelpRefusedNamingTheVersionNeeded() {
        storeMarker(StorageLayout.CURRENT + 1, "v9.0.0");
        EngineFixture mount = mountOver();
        mount.backend.initialize();

        VaultException refused = assertThrows(VaultException.class, () -> mount.send(Operation.READ, "config", Map.of()));
        assertEquals(409, refused.status());
        assertTrue(refused.getMessage().contains("layout " + (StorageLayout.CURRENT + 1) + ", written by v9.0.0"),
                refused.getMessage());
        assertTrue(refused.getMessage().contains("run v9.0.0 or newer"), refused.getMessage());
        assertTrue(refused.getMessage().contains("this plugin (" + EngineFixture.VERSION + ")"), refused.getMessage());
        assertThrows(VaultException.class, () -> mount.send(Operation.UPDATE, "config", Map.of("record_ttl", "10m")));
        assertFalse(storage.keys().contains(Config.STORAGE_KEY), "nothing written");
        assertEquals("v9.0.0", marker().get("written_by"), "the newer marker is left as it was");
        mount.send(Operation.HELP, "config", Map.of()); // help still answers
    }

    @Test
    void aMarkerWrittenElsewhereCountsOnceInvalidated() {
        EngineFixture mount = mountOver();
        mount.backend.initialize();
        mount.send(Operation.READ, "config", Map.of());
        storeMarker(StorageLayout.CURRENT + 1, "v9.0.0");
        mount.backend.invalidate(StorageLayout.KEY);
        assertThrows(VaultException.class, () -> mount.send(Operation.READ, "config", Map.of()));
    }

    @Test
    void aStandbyLeavesTheMarkerToTheActiveNode() {
        EngineFixture standby = new EngineFixture(Map.of(), storage, new MutableClock(), true);
        standby.backend.initialize();
        assertFalse(storage.get(StorageLayout.KEY).isPresent(), "storage is read-only on a standby");
    }

    @Test
    void aSetupThatCannotWriteTheMarkerLeavesTheCheckToTheFirstRequest() {
        Storage unwritable = new DelegatingStorage(storage) {
            @Override
            public void put(String key, byte[] value) {
                throw new StorageException("storage is unavailable");
            }
        };
        StorageLayout layout = new StorageLayout(unwritable, new FixedSystemView(), EngineFixture.VERSION);
        layout.initialize(); // does not throw: the mount is set up
        storeMarker(StorageLayout.CURRENT + 1, "v9.0.0");
        assertThrows(VaultException.class, layout::check, "the first request reads the marker");
    }
}
