package dev.herald.engine;

import dev.herald.sdk.Operation;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
