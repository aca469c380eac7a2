package dev.herald.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Timeout;

/**
 * Large bodies sent without a token must not hurt other mounts. The servers let bodies of up to
 * 32 MB through to a plugin, and {@code jwks} is the one path that takes no token: an attacker
 * once exhausted the plugin's direct memory with a few concurrent 30 MB POSTs to it, the plugin
 * answered GOAWAY on the one gRPC connection every mount shares, and reads of another mount
 * failed with 500s meanwhile.
 *
 * <p>What the servers answer a POST to {@code jwks} without a token:
 * <ul>
 *   <li>a body over the plugin's 4 MiB message cap (UnixTransport.MAX_REQUEST_BYTES), refused by
 *       grpc-java from the message's length prefix with RESOURCE_EXHAUSTED: 500 on both servers.
 *       OpenBao 2.7.2 passes the gRPC error on: {@code {"errors":["rpc error: code =
 *       ResourceExhausted desc = gRPC message exceeds maximum size 4194304: 30000040"]}}. Vault
 *       1.21.0 meets it in the existence check it makes first, logs "failed to run existence
 *       check" with that error, and answers {@code {"errors":["1 error occurred:\n\t* internal
 *       error\n\n"]}}.</li>
 *   <li>a body under the cap: 405 {@code {"errors":["unsupported operation"]}} on both servers; the
 *       plugin refuses the write without parsing the body.</li>
 * </ul>
 * Before the cap, the flood below exhausted the plugin's direct memory on both servers: GOAWAY
 * "Cannot reserve 2097152 bytes of direct buffer memory", and discover reads on the other mount
 * failed with 500s.
 */
@Timeout(600)
class FloodTest {
    /** The plugin's cap on a message from the server (UnixTransport.MAX_REQUEST_BYTES). */
    private static final int PLUGIN_MESSAGE_CAP = 4 << 20;
    /** As in the attack: under the servers' 32 MiB request limit, far over the plugin's cap. */
    private static final int OVER_CAP = 30_000_000;
    /** Room for what the server wraps around the body: path, headers, connection. */
    private static final int UNDER_CAP = PLUGIN_MESSAGE_CAP - (64 << 10);
    private static final int ROUNDS = 3;
    private static final int CONCURRENT = 8;

    /** One answer to an attacker: its status, or -1 and the exception if the request failed. */
    private record Answer(String kind, int status, String detail) {
        @Override
        public String toString() {
            return kind + " -> " + status + " " + detail;
        }
    }

    @OnEachServer
    void aFloodOfLargeUnauthenticatedBodiesLeavesOtherMountsAndThePluginAlone(Herald herald) throws Exception {
        DevServer server = herald.server();
        String victim = herald.enable("flood-a");
        PublishingMount other = new PublishingMount(herald, "flood-b", "[\"create\", \"update\"]", "");
        other.publish(other.pod("pod-1"), "pod-1", Publisher.ed25519(), Map.of()).assertStatus(200);
        other.discover(); // 200, or this fails
        long pid = herald.pluginProcess().pid();

        byte[] overCap = body(OVER_CAP);
        byte[] underCap = body(UNDER_CAP);
        Queue<Answer> attackers = new ConcurrentLinkedQueue<>();
        Queue<String> failedReads = new ConcurrentLinkedQueue<>();
        AtomicInteger reads = new AtomicInteger();
        AtomicBoolean flooding = new AtomicBoolean(true);
        ExecutorService threads = Executors.newFixedThreadPool(2 * CONCURRENT + 1);
        try {
            Future<?> reader = threads.submit(() -> {
                while (flooding.get()) {
                    try {
                        HttpResult read = server.http("GET", other.mount + "/discover/web", null);
                        if (read.status() != 200) {
                            failedReads.add(read.toString());
                        }
                    } catch (RuntimeException e) {
                        failedReads.add(e.toString());
                    }
                    reads.incrementAndGet();
                }
            });
            for (int round = 0; round < ROUNDS; round++) {
                List<Future<?>> flood = new ArrayList<>();
                for (int i = 0; i < CONCURRENT; i++) {
                    flood.add(threads.submit(() -> attackers.add(post(server, victim, "over cap", overCap))));
                    flood.add(threads.submit(() -> attackers.add(post(server, victim, "under cap", underCap))));
                }
                for (Future<?> request : flood) {
                    request.get();
                }
            }
            flooding.set(false);
            reader.get();
        } finally {
            flooding.set(false);
            threads.shutdownNow();
        }

        System.err.println("herald-it: " + server.name() + ": " + reads.get() + " discover reads during the flood, "
                + failedReads.size() + " failed; attackers' answers: " + summary(attackers));
        assertAll(
                () -> assertTrue(failedReads.isEmpty(), () -> failedReads.size() + " of " + reads.get()
                        + " discover reads on the other mount failed, e.g. " + failedReads.peek()),
                () -> assertTrue(attackers.stream().noneMatch(a -> a.status() / 100 == 2),
                        () -> "an unauthenticated write to jwks succeeded: " + summary(attackers)),
                () -> assertEquals(pid, herald.pluginProcess().pid(), "the plugin process survived the flood"));

        // One of each, alone, for the record of what the servers answer.
        Answer over = post(server, victim, "over cap", overCap);
        Answer under = post(server, victim, "under cap", underCap);
        System.err.println("herald-it: " + server.name() + ": alone: " + over + "; " + under);
        assertEquals(500, over.status(), over::toString);
        assertTrue(server.log().contains("gRPC message exceeds maximum size " + PLUGIN_MESSAGE_CAP),
                "the plugin's cap refused the bodies over it: " + over);
        assertEquals(405, under.status(), under::toString);
        assertEquals("unsupported operation", under.detail());
        assertEquals(200, server.http("GET", other.mount + "/discover/web", null).status());
    }

    /**
     * Metadata nested deeper than the plugin's JSON parser takes (64 levels). The server decodes
     * the body and hands it on; the existence check it makes before the write must then give no
     * answer (an error there comes out as a 500), so that the handler's 400 comes out.
     */
    @OnEachServer
    void aBodyNestedTooDeeplyIsA400NamingTheProblem(Herald herald) {
        DevServer server = herald.server();
        String mount = herald.enable("deep");
        // 100 levels: past the plugin's limit, within both servers' own.
        HttpResult deep = server.http("POST", mount + "/publish/web/x", nestedMetadata(100));
        assertEquals(400, deep.status(), deep::toString);
        assertTrue(deep.errors().contains("invalid request body: nesting deeper than 64"), deep::toString);
        // 600 levels, as found on OpenBao. Vault 1.21 refuses more than 500 itself (its listener's
        // max_json_depth), with a 500 of its own, before anything reaches the plugin.
        HttpResult reported = server.http("POST", mount + "/publish/web/x", nestedMetadata(600));
        if (server.kind() == ServerKind.VAULT) {
            assertEquals(500, reported.status(), reported::toString);
            assertEquals("JSON input exceeds allowed nesting depth", reported.errors());
        } else {
            assertEquals(400, reported.status(), reported::toString);
            assertTrue(reported.errors().contains("invalid request body: nesting deeper than 64"), reported::toString);
        }
    }

    /** A publish body whose metadata is nested so that the whole body is {@code levels} deep. */
    private static String nestedMetadata(int levels) {
        return "{\"role\":\"web\",\"metadata\":" + "{\"a\":".repeat(levels - 1) + "\"x\"" + "}".repeat(levels);
    }

    /**
     * A JSON object of at most {@code size} bytes (a few bytes less), made of strings of at most
     * 256 KiB: Vault 1.21 refuses a string over 1 MiB itself (max_json_string_value_length), and
     * an attacker shapes his body to get past that.
     */
    private static byte[] body(int size) {
        StringBuilder json = new StringBuilder(size).append('{');
        for (int i = 0; ; i++) {
            String head = (i == 0 ? "" : ",") + "\"f" + i + "\":\"";
            int room = size - json.length() - head.length() - 2; // the closing quote and brace
            if (room <= 0) {
                break;
            }
            json.append(head).append("a".repeat(Math.min(room, 256 << 10))).append('"');
        }
        return json.append('}').toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static Answer post(DevServer server, String mount, String kind, byte[] body) {
        try {
            HttpResult result = server.http("POST", mount + "/jwks", body, null);
            return new Answer(kind, result.status(), result.errors());
        } catch (RuntimeException e) {
            return new Answer(kind, -1, e.toString());
        }
    }

    /** Each distinct answer with its count. */
    private static String summary(Queue<Answer> answers) {
        Map<String, Long> counts = new java.util.TreeMap<>();
        answers.forEach(a -> counts.merge(a.toString().replace('\n', ' '), 1L, Long::sum));
        return counts.toString();
    }
}
