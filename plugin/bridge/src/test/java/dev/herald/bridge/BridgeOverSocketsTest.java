package dev.herald.bridge;

import dev.herald.proto.pb.HandleRequestReply;
import dev.herald.sdk.Field;
import dev.herald.sdk.Path;
import dev.herald.sdk.Response;
import dev.herald.sdk.Router;
import dev.herald.sdk.VaultException;
import dev.herald.sdk.json.Json;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bridge end to end inside one JVM: real unix sockets, mutual TLS both ways, broker dial-back,
 * multiplexing, translation. The same behaviour against real servers is in test-it.
 */
class BridgeOverSocketsTest {
    private static final Field<String> NAME = Field.string("name", "A name.");
    private static final Field<String> VALUE = Field.string("value", "A value.").required();
    private static HostSimulator host;
    private static final java.util.List<String> INVALIDATED = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** A tiny key-value backend: "items/:name" stores a value; "conflict" answers 409. */
    private static Router backend(dev.herald.sdk.Mount mount) {
        return Router.builder("Test backend.", "")
                .path(Path.pattern("items/:name").fields(NAME, VALUE)
                        .existence(request -> mount.storage().get("items/" + request.get(NAME)).isPresent())
                        .read("Read.", request -> mount.storage().get("items/" + request.get(NAME))
                                .map(v -> Response.data(Map.of("value", new String(v, StandardCharsets.UTF_8))))
                                .orElse(Response.none()))
                        .create("Create.", request -> {
                            mount.storage().put("items/" + request.get(NAME), request.get(VALUE).getBytes(StandardCharsets.UTF_8));
                            return Response.none();
                        })
                        .help("Items.", ""))
                .path(Path.pattern("batch").fields(VALUE)
                        .update("Writes batch/0 to batch/19 at once.", request -> {
                            Map<String, byte[]> entries = new java.util.LinkedHashMap<>();
                            for (int i = 0; i < 20; i++) {
                                entries.put("batch/" + i, (request.get(VALUE) + i).getBytes(StandardCharsets.UTF_8));
                            }
                            mount.storage().putAll(entries);
                            return Response.none();
                        })
                        .help("Many entries at once.", ""))
                .path(Path.pattern("conflict").read("Conflict.", request -> {
                    throw VaultException.conflict("already there");
                }).help("Always a conflict.", ""))
                .onInvalidate(key -> INVALIDATED.add(mount.backendUuid() + ":" + key))
                .build();
    }

    @BeforeAll
    static void start() throws Exception {
        host = HostSimulator.start(BridgeOverSocketsTest::backend, "v9.9.9");
        assertEquals("", host.mount("mount-a"));
        assertEquals("", host.mount("mount-b"));
    }

    @AfterAll
    static void stop() {
        host.close();
    }

    @Test
    void handshakeNamesAUnixSocketAndGrpc() {
        String[] fields = host.handshake().split("\\|");
        assertEquals(6, fields.length);
        assertEquals("1", fields[0]);
        assertEquals("5", fields[1]);
        assertEquals("unix", fields[2]);
        assertEquals("grpc", fields[4]);
        assertTrue(host.multiplexingSupported());
    }

    @Test
    void healthServesThePluginServiceOnly() {
        assertEquals("SERVING", host.health("plugin"));
        assertEquals("SERVING", host.health(""));
        assertEquals("SERVICE_UNKNOWN", host.health("something-else"));
    }

    @Test
    void invalidationsReachTheMountTheyAreFor() {
        host.invalidate("mount-b", "config");
        assertEquals(java.util.List.of("uuid-mount-b:config"), INVALIDATED.stream()
                .filter(entry -> entry.endsWith(":config")).toList());
    }

    /** putAll goes through the brokered storage as concurrent puts, all done before the answer. */
    @Test
    void manyEntriesAreWrittenAtOnce() {
        HandleRequestReply written = host.send("mount-b", "update", "batch", "{\"value\":\"v\"}");
        assertFalse(written.hasErr(), written.toString());
        for (int i = 0; i < 20; i++) {
            assertEquals("v" + i, new String(host.storage("mount-b").get("batch/" + i).orElseThrow(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void eachMountHasItsOwnStorage() {
        HandleRequestReply created = host.send("mount-a", "create", "items/x", "{\"value\":\"in a\"}");
        assertFalse(created.hasErr(), created.toString());
        assertFalse(created.hasResponse(), "no response means 204");
        assertEquals("in a", new String(host.storage("mount-a").get("items/x").orElseThrow(), StandardCharsets.UTF_8));
        assertFalse(host.storage("mount-b").keys().contains("items/x"));
        HandleRequestReply read = host.send("mount-a", "read", "items/x", "null");
        assertEquals(Map.of("value", "in a"), Json.parseObject(read.getResponse().getData()));
        assertFalse(host.send("mount-b", "read", "items/x", "null").hasResponse(), "404 on the other mount");
    }

    @Test
    void existenceCheckSeparatesCreateFromUpdate() {
        var before = host.sendExistenceCheck("mount-b", "items/e", "{}");
        assertTrue(before.getCheckFound());
        assertFalse(before.getExists());
        host.send("mount-b", "create", "items/e", "{\"value\":\"v\"}");
        assertTrue(host.sendExistenceCheck("mount-b", "items/e", "{}").getExists());
        assertFalse(host.sendExistenceCheck("mount-b", "conflict", "{}").getCheckFound(), "no check on that path");
    }

    @Test
    void badRequestsBecomeErrorResponsesNamingTheProblem() {
        HandleRequestReply reply = host.send("mount-a", "create", "items/y", "{\"value\":\"v\",\"colour\":\"blue\"}");
        assertFalse(reply.hasErr());
        String error = (String) Json.parseObject(reply.getResponse().getData()).get("error");
        assertTrue(error.contains("unknown field \"colour\""), error);
        assertFalse(host.storage("mount-a").keys().contains("items/y"), "nothing written");
        HandleRequestReply missing = host.send("mount-a", "create", "items/y", "{}");
        assertTrue(((String) Json.parseObject(missing.getResponse().getData()).get("error")).contains("missing value"));
    }

    @Test
    void otherStatusesTravelAsCodedErrors() {
        HandleRequestReply conflict = host.send("mount-a", "read", "conflict", "null");
        assertEquals(Translation.ERR_CODED, conflict.getErr().getErrType());
        assertEquals(409, conflict.getErr().getErrCode());
        assertEquals("already there", conflict.getErr().getErrMsg());
        assertEquals(Translation.ERR_UNSUPPORTED_PATH, host.send("mount-a", "read", "nope", "null").getErr().getErrType());
        assertEquals(Translation.ERR_UNSUPPORTED_OPERATION, host.send("mount-a", "delete", "items/x", "null").getErr().getErrType());
        assertEquals(Translation.ERR_UNSUPPORTED_OPERATION, host.send("mount-a", "alias-lookahead", "items/x", "null").getErr().getErrType());
    }

    @Test
    void helpIsAnsweredForTheRootAndForPaths() {
        Map<String, Object> root = Json.parseObject(host.send("mount-a", "help", "", "{\"requestResponsePrefix\":\"test\"}")
                .getResponse().getData());
        assertTrue(((String) root.get("help")).contains("items/:name"));
        @SuppressWarnings("unchecked")
        Map<String, Object> paths = (Map<String, Object>) ((Map<String, Object>) root.get("openapi")).get("paths");
        assertEquals(java.util.Set.of("/items/{name}", "/batch", "/conflict"), paths.keySet());
    }

    @Test
    void largeStorageEntriesAndResponsesPass() {
        String big = "x".repeat(6 << 20); // beyond grpc-java's default 4 MiB, and the cap on requests
        host.storage("mount-a").put("items/big", big.getBytes(StandardCharsets.UTF_8));
        assertEquals(big.length(), ((String) Json.parseObject(host.send("mount-a", "read", "items/big", "null")
                .getResponse().getData()).get("value")).length());
        String underCap = "y".repeat(UnixTransport.MAX_REQUEST_BYTES - (64 << 10));
        assertFalse(host.send("mount-a", "create", "items/large", Json.write(Map.of("value", underCap))).hasErr());
        assertEquals(underCap.length(), host.storage("mount-a").get("items/large").orElseThrow().length);
    }

    @Test
    void aRequestOverTheCapIsRefusedAndTheConnectionStays() {
        String overCap = Json.write(Map.of("value", "z".repeat(UnixTransport.MAX_REQUEST_BYTES)));
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> host.send("mount-a", "create", "items/huge", overCap));
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains("exceeds maximum size " + UnixTransport.MAX_REQUEST_BYTES),
                e.getStatus().toString());
        assertFalse(host.storage("mount-a").keys().contains("items/huge"));
        // The same connection (every mount shares it) goes on serving.
        assertFalse(host.send("mount-b", "create", "items/after", "{\"value\":\"v\"}").hasErr());
    }

    @Test
    void aWriteToAPathWithoutWritesIsRefusedWithoutParsingItsBody() {
        String notJson = "{\"value\": ";
        HandleRequestReply reply = host.send("mount-a", "update", "conflict", notJson);
        assertEquals(Translation.ERR_UNSUPPORTED_OPERATION, reply.getErr().getErrType(), reply.toString());
        var check = host.sendExistenceCheck("mount-a", "conflict", notJson);
        assertFalse(check.getCheckFound() || check.hasErr(), check.toString());
        // Where the body is read, it is a 400 naming the problem.
        String error = (String) Json.parseObject(host.send("mount-a", "create", "items/z", notJson)
                .getResponse().getData()).get("error");
        assertTrue(error.startsWith("invalid request body: unexpected end of input"), error);
    }

    @Test
    void aBodyNestedTooDeeplyGetsNoExistenceAnswerAndA400() {
        String deep = "{\"value\":" + "[".repeat(600) + "]".repeat(600) + "}";
        var check = host.sendExistenceCheck("mount-a", "items/deep", deep);
        assertFalse(check.getCheckFound() || check.hasErr(), "no answer, so the handler runs: " + check);
        HandleRequestReply reply = host.send("mount-a", "create", "items/deep", deep);
        assertFalse(reply.hasErr(), reply.toString());
        assertEquals("invalid request body: nesting deeper than 64 at offset 72",
                Json.parseObject(reply.getResponse().getData()).get("error"));
    }

    /** The timeout only guards against a hang: a plugin that ignores Shutdown keeps its socket for good. */
    @Test
    @Timeout(60)
    void shutdownStopsThePlugin() throws Exception {
        try (HostSimulator own = HostSimulator.start(BridgeOverSocketsTest::backend, "")) {
            java.nio.file.Path socket = java.nio.file.Path.of(own.handshake().split("\\|")[3]);
            assertTrue(java.nio.file.Files.exists(socket));
            assertEquals("", own.mount("mount-a"));
            assertFalse(own.send("mount-a", "read", "items/x", "null").hasErr(), "served before the shutdown");
            own.shutdownPlugin();
            // The socket is removed last, once the server has stopped (and before the process would exit).
            while (java.nio.file.Files.exists(socket)) {
                Thread.sleep(10);
            }
            // The same call fails now (UNAVAILABLE, CANCELLED, or the mount already gone, depending on
            // how it races the server's close); it never succeeds.
            assertThrows(StatusRuntimeException.class, () -> own.send("mount-a", "read", "items/x", "null"));
        }
    }

    @Test
    void anUnknownMountIsAGrpcErrorSoTheServerSetsItUpAgain() throws Exception {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> host.send("never-set-up", "read", "items/x", "null"));
        assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
        assertEquals("", host.mount("short-lived"));
        int before = host.mountCount();
        host.unmount("short-lived");
        assertEquals(before - 1, host.mountCount());
        assertThrows(StatusRuntimeException.class, () -> host.send("short-lived", "read", "items/x", "null"));
    }
}
