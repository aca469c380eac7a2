package dev.herald.engine;

import dev.herald.sdk.testing.InMemoryStorage;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The proof that a seq was served (docs/design-ack.md §3.2). */
class AckTokensTest {
    private final InMemoryStorage storage = new InMemoryStorage();
    private final AckTokens tokens = new AckTokens(storage, Clock.systemUTC());

    @Test
    void aTokenIsValidForItsServiceAndSeqOnly() {
        String token = tokens.token("web", 7);
        assertEquals(22, token.length());
        assertTrue(tokens.valid("web", 7, token));
        assertFalse(tokens.valid("web", 8, token), "another seq");
        assertFalse(tokens.valid("web", 6, token));
        assertFalse(tokens.valid("api", 7, token), "another service");
        assertFalse(tokens.valid("web7", 0, token), "the separator keeps service and seq apart");
        assertNotEquals(token, tokens.token("web", 8));
    }

    @Test
    void anotherNodeOrARestartMakesTheSameTokensFromTheStoredKey() {
        String token = tokens.token("web", 7);
        AckTokens elsewhere = new AckTokens(storage, Clock.systemUTC());
        assertEquals(token, elsewhere.token("web", 7));
        assertTrue(elsewhere.valid("web", 7, token));
        assertTrue(storage.keys().contains(AckTokens.STORAGE_KEY));
        assertTrue(AckTokens.STORAGE_KEY.startsWith("signer/"), "kept under the seal-wrapped prefix");
    }

    @Test
    void anotherMountsTokensAreRefused() {
        String token = tokens.token("web", 7);
        AckTokens otherMount = new AckTokens(new InMemoryStorage(), Clock.systemUTC());
        assertFalse(otherMount.valid("web", 7, token));
    }

    @Test
    void malformedTokensAreRefusedWithoutAnError() {
        tokens.token("web", 1);
        for (String bad : List.of("", "not base64 at all!", "AAAA", tokens.token("web", 1) + "AA", "+/+/+/+/+/+/+/+/+/+/+/")) {
            assertFalse(tokens.valid("web", 1, bad), bad);
        }
    }

    @Test
    void concurrentFirstUsesMakeOneKey() throws Exception {
        int threads = 8;
        CountDownLatch start = new CountDownLatch(1);
        Set<String> seen = ConcurrentHashMap.newKeySet();
        List<Thread> started = new java.util.ArrayList<>();
        for (int i = 0; i < threads; i++) {
            Thread thread = Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                seen.add(tokens.token("web", 3));
            });
            started.add(thread);
        }
        start.countDown();
        for (Thread thread : started) {
            thread.join();
        }
        assertEquals(1, seen.size(), "every use saw the same key: " + seen);
        assertEquals(seen.iterator().next(), new AckTokens(storage, Clock.systemUTC()).token("web", 3), "the stored one");
    }
}
