package dev.herald.engine;

import dev.herald.sdk.Operation;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** The mount's state: what a change of config, of the signer or of storage elsewhere makes its owners forget. */
class MountStateTest {
    private final PublishingFixture mount = new PublishingFixture();

    private Object jti() {
        return mount.discover().get("jti");
    }

    @Test
    void aConfigUpdateLeavesNoRecordReused() {
        mount.publish(mount.body(mount.first));
        Object signed = jti();
        assertEquals(signed, jti());
        mount.engine.send(Operation.UPDATE, "config", Map.of("record_ttl", "10m"));
        Map<String, Object> record = mount.discover();
        assertNotEquals(signed, record.get("jti"), "signed again, with the new record_ttl");
        assertEquals(600L, (Long) record.get("exp") - (Long) record.get("iat"));
    }

    @Test
    void aStorageKeyChangedElsewhereIsForgottenByItsOwner() {
        mount.publish(mount.body(mount.first));
        Object signed = jti();
        mount.engine.backend.invalidate("roles/web");
        assertEquals(signed, jti(), "a role is no part of a record");
        mount.engine.backend.invalidate(ServiceStore.instanceKey("web", "pod-1"));
        Object reread = jti();
        assertNotEquals(signed, reread, "the service is read again, and its record made again");
        mount.engine.backend.invalidate(ServiceStore.headKey("other"));
        assertEquals(reread, jti(), "another service's change leaves this one's record");
        mount.engine.backend.invalidate(Signer.STORAGE_KEY);
        assertNotEquals(reread, jti(), "the signing keys are read again, and every record made again");
    }
}
