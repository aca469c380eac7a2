package dev.herald.engine;

import dev.herald.sdk.RawBody;
import dev.herald.tlog.NoteVerifier;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LogKeyPathTest {
    private final ServedLog log = new ServedLog();

    @Test
    void theVkeyIsTheLogKeysAndNamesTheOrigin() throws Exception {
        log.grow(1);
        RawBody raw = log.raw("log/key");
        assertEquals("text/plain; charset=utf-8", raw.contentType());
        assertEquals("max-age=300", raw.cacheControl().orElseThrow());
        List<NoteVerifier> keys = log.keys();
        assertEquals(1, keys.size());
        assertEquals(NoteVerifier.ED25519, keys.getFirst().type());
        assertEquals(log.checkpoint().checkpoint().origin(), keys.getFirst().name());
        assertTrue(ServedLog.text(raw).endsWith("\n"));
        assertTrue(!ServedLog.text(raw).contains("PRIVATE") && !ServedLog.text(raw).contains("private"));
    }
}
