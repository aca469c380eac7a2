package dev.herald.engine;

import dev.herald.sdk.Caller;
import dev.herald.sdk.Lease;
import dev.herald.sdk.Operation;
import dev.herald.sdk.Response;
import dev.herald.sdk.VaultException;
import dev.herald.sdk.json.Json;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static dev.herald.engine.PublishingFixture.POD_CALLER;
import static dev.herald.engine.PublishingFixture.assertStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** tidy (and services/, whose sequence it must not change). */
class TidyPathTest {
    private final PublishingFixture mount = new PublishingFixture();
    private final TestKeys first = mount.first;

    @Test
    void tidyDropsExpiredPublicationsButNotTheirHistoryNorTheSequence() {
        mount.publish(mount.body(first));
        mount.engine.clock.advance(Duration.ofHours(2));
        long seq = (Long) ((Map<?, ?>) ((Map<?, ?>) mount.engine.send(Operation.LIST, "services/", Map.of()).data()
                .get("key_info")).get("web")).get("sequence");
        assertEquals(2L, seq, "expiry counts as a change");
        assertEquals(1L, mount.engine.send(Operation.UPDATE, "tidy", Map.of()).data().get("publications_removed"));
        Map<?, ?> info = (Map<?, ?>) ((Map<?, ?>) mount.engine.send(Operation.LIST, "services/", Map.of()).data()
                .get("key_info")).get("web");
        assertEquals(2L, info.get("sequence"));
        assertEquals(0L, info.get("live_instances"));
        assertEquals(1, ((List<?>) mount.engine.send(Operation.READ, "history/web", Map.of()).data().get("events")).size());
    }


    @Test
    void thePeriodicTickTidiesToo() {
        mount.publish(mount.body(first));
        mount.engine.clock.advance(Duration.ofHours(2));
        mount.engine.send(Operation.ROLLBACK, "", Map.of());
        assertEquals(0L, mount.engine.send(Operation.UPDATE, "tidy", Map.of()).data().get("publications_removed"),
                "the rollback tick removed it already");
        assertEquals(2L, ((Map<?, ?>) ((Map<?, ?>) mount.engine.send(Operation.LIST, "services/", Map.of()).data()
                .get("key_info")).get("web")).get("sequence"));
    }
}
