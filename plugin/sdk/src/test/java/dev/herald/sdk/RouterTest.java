package dev.herald.sdk;

import dev.herald.sdk.json.JsonException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RouterTest {
    static final Field<String> NAME = Field.string("name", "The role's name.").check(n -> !n.contains(" "), "have no spaces");
    static final Field<Duration> TTL = Field.duration("ttl", "Lifetime.").defaultValue(Duration.ofHours(1)).positive();
    static final Field<List<String>> TAGS = Field.stringList("tags", "Tags.");
    static final Field<Boolean> FLAG = Field.bool("flag", "A flag.").required();

    private final Map<String, Request> seen = new HashMap<>();

    private Router router() {
        return Router.builder("A test backend.", "Longer words.")
                .path(Path.pattern("roles/:name").fields(NAME, TTL, TAGS, FLAG)
                        .existence(request -> request.get(NAME).equals("exists"))
                        .read("Read a role.", request -> {
                            seen.put("read", request);
                            return Response.data(Map.of("name", request.get(NAME), "ttl", TTL.toJson(request.get(TTL))));
                        })
                        .update("Write a role.", request -> {
                            seen.put("update", request);
                            return Response.none();
                        })
                        .help("Roles.", "What roles do."))
                .path(Path.pattern("roles/").list("List roles.", request -> Response.list(List.of("a", "b")))
                        .help("List of roles.", ""))
                .build();
    }

    private static Request request(Operation operation, String path, Map<String, Object> data) {
        return new Request("id", operation, path, data, Caller.NONE, new Request.MountInfo("m/", "herald", "acc"), null);
    }

    @Test
    void routesByPatternAndReadsPathParametersAndDefaults() {
        Response response = router().handle(request(Operation.READ, "roles/web", Map.of()));
        assertEquals(Map.of("name", "web", "ttl", 3600L), response.data());
    }

    @Test
    void listingPathsMatchWithAndWithoutTheTrailingSlash() {
        assertEquals(List.of("a", "b"), router().handle(request(Operation.LIST, "roles/", Map.of())).data().get("keys"));
        assertEquals(List.of("a", "b"), router().handle(request(Operation.LIST, "roles", Map.of())).data().get("keys"));
    }

    @Test
    void aRestParameterTakesWholeSegmentsToTheEndOfThePath() {
        Field<String> tile = Field.string("tile", "The tile's path.");
        Path tiles = Path.pattern("log/tile/*tile").fields(tile)
                .read("Read a tile.", request -> Response.data(Map.of("tile", request.get(tile))))
                .help("Tiles.", "");
        Router router = Router.builder("A test backend.", "").path(tiles).build();
        assertEquals(Map.of("tile", "0/x001/234"), router.handle(request(Operation.READ, "log/tile/0/x001/234", Map.of())).data());
        assertEquals(Map.of("tile", "entries/7.p/3"), router.handle(request(Operation.READ, "log/tile/entries/7.p/3", Map.of())).data());
        for (String path : List.of("log/tile", "log/tile/", "log/tile/0//1", "log/tile/0/", "log/tile//0")) {
            VaultException refused = assertThrows(VaultException.class, () -> router.handle(request(Operation.READ, path, Map.of())), path);
            assertEquals(VaultException.Kind.UNSUPPORTED_PATH, refused.kind(), path);
        }
        assertTrue(Help.openApi("", "", List.of(tiles), "herald/").toString().contains("/log/tile/{tile}"));
        assertThrows(IllegalArgumentException.class, () -> Path.pattern("log/*rest/more"));
        assertThrows(IllegalArgumentException.class, () -> Path.pattern("log/*rest/"));
        assertThrows(IllegalArgumentException.class, () -> Path.pattern("log/a*b"));
    }

    @Test
    void parsesTypedFieldsFromJsonAndCliForms() {
        router().handle(request(Operation.UPDATE, "roles/web", Map.of("ttl", "90s", "tags", "a, b,,c", "flag", "true")));
        Request seenRequest = seen.get("update");
        assertEquals(Duration.ofSeconds(90), seenRequest.get(TTL));
        assertEquals(List.of("a", "b", "c"), seenRequest.get(TAGS));
        assertTrue(seenRequest.get(FLAG));
        assertTrue(seenRequest.has(TTL));
    }

    @Test
    void rejectsUnknownFieldsOfWritesByName() {
        VaultException e = assertThrows(VaultException.class, () -> router().handle(
                request(Operation.UPDATE, "roles/web", Map.of("flag", true, "colour", "blue", "size", 3))));
        assertEquals(400, e.status());
        assertTrue(e.getMessage().startsWith("unknown fields \"colour\", \"size\""), e.getMessage());
        assertTrue(e.getMessage().contains("accepts: ttl, tags, flag"), e.getMessage());
        assertFalse(seen.containsKey("update"));
    }

    @Test
    void ignoresUnknownQueryParametersOfReads() {
        router().handle(request(Operation.READ, "roles/web", Map.of("colour", "blue")));
        assertTrue(seen.containsKey("read"));
    }

    @Test
    void namesTheFieldAndTheRuleOfABadValue() {
        VaultException bad = assertThrows(VaultException.class, () -> router().handle(
                request(Operation.UPDATE, "roles/web", Map.of("flag", true, "ttl", "-5s"))));
        assertEquals("invalid ttl: must be greater than zero, got -5s", bad.getMessage());
        VaultException missing = assertThrows(VaultException.class, () -> router().handle(
                request(Operation.UPDATE, "roles/web", Map.of())));
        assertEquals("missing flag: A flag.", missing.getMessage());
        VaultException type = assertThrows(VaultException.class, () -> router().handle(
                request(Operation.UPDATE, "roles/web", Map.of("flag", "maybe"))));
        assertEquals("invalid flag: expected true or false, got \"maybe\"", type.getMessage());
    }

    @Test
    void unknownPathsAndOperationsHaveTheirOwnKinds() {
        VaultException path = assertThrows(VaultException.class, () -> router().handle(request(Operation.READ, "nope", Map.of())));
        assertEquals(VaultException.Kind.UNSUPPORTED_PATH, path.kind());
        VaultException operation = assertThrows(VaultException.class, () -> router().handle(request(Operation.DELETE, "roles/x", Map.of())));
        assertEquals(VaultException.Kind.UNSUPPORTED_OPERATION, operation.kind());
        VaultException rollback = assertThrows(VaultException.class, () -> router().handle(request(Operation.ROLLBACK, "", Map.of())));
        assertEquals(VaultException.Kind.UNSUPPORTED_OPERATION, rollback.kind());
    }

    @Test
    void existenceCheckIsAnsweredOnlyWherePathsHaveOne() {
        assertEquals(java.util.Optional.of(true), router().exists(request(Operation.UPDATE, "roles/exists", Map.of())));
        assertEquals(java.util.Optional.of(false), router().exists(request(Operation.UPDATE, "roles/new", Map.of("ttl", "bad"))));
        assertEquals(java.util.Optional.empty(), router().exists(request(Operation.UPDATE, "roles/", Map.of())));
        assertEquals(java.util.Optional.empty(), router().exists(request(Operation.UPDATE, "elsewhere", Map.of())));
        // A path parameter that does not parse: no answer, and the write itself gets the 400.
        assertEquals(java.util.Optional.empty(), router().exists(request(Operation.UPDATE, "roles/a b", Map.of())));
        VaultException e = assertThrows(VaultException.class,
                () -> router().handle(request(Operation.UPDATE, "roles/a b", Map.of("flag", true))));
        assertEquals("invalid name: must have no spaces, got \"a b\"", e.getMessage());
    }

    /** A request whose body fails to decode as {@code failure}, counting the attempts. */
    private static Request undecodable(Operation operation, String path, RuntimeException failure, AtomicInteger tries) {
        return Request.decodingBody("id", operation, path, () -> {
            tries.incrementAndGet();
            throw failure;
        }, Caller.NONE, new Request.MountInfo("m/", "herald", "acc"), null);
    }

    @Test
    void aRefusedPathOrOperationIsAnsweredWithoutDecodingTheBody() {
        AtomicInteger tries = new AtomicInteger();
        JsonException bad = new JsonException("nesting deeper than 64", 320);
        VaultException operation = assertThrows(VaultException.class,
                () -> router().handle(undecodable(Operation.DELETE, "roles/x", bad, tries)));
        assertEquals(VaultException.Kind.UNSUPPORTED_OPERATION, operation.kind());
        VaultException path = assertThrows(VaultException.class,
                () -> router().handle(undecodable(Operation.UPDATE, "nope", bad, tries)));
        assertEquals(VaultException.Kind.UNSUPPORTED_PATH, path.kind());
        assertEquals(Optional.empty(), router().exists(undecodable(Operation.UPDATE, "roles/", bad, tries)));
        assertEquals(0, tries.get(), "the body was never decoded");
    }

    @Test
    void aBodyThatDoesNotDecodeIsA400AndNoExistenceAnswer() {
        AtomicInteger tries = new AtomicInteger();
        JsonException bad = new JsonException("nesting deeper than 64", 320);
        // No answer, as for a path parameter that does not parse: the handler gives the 400.
        assertEquals(Optional.empty(), router().exists(undecodable(Operation.UPDATE, "roles/web", bad, tries)));
        VaultException e = assertThrows(VaultException.class,
                () -> router().handle(undecodable(Operation.UPDATE, "roles/web", bad, tries)));
        assertEquals(400, e.status());
        assertEquals("invalid request body: nesting deeper than 64 at offset 320", e.getMessage());
        assertFalse(seen.containsKey("update"));
        // Anything else a body throws is not the caller's fault, and goes on as it is.
        IllegalStateException internal = new IllegalStateException("broken");
        assertEquals(internal, assertThrows(IllegalStateException.class,
                () -> router().handle(undecodable(Operation.UPDATE, "roles/web", internal, tries))));
    }

    @Test
    void aDecodedBodyIsDecodedOnceForAllCopiesOfTheRequest() {
        AtomicInteger tries = new AtomicInteger();
        Request request = Request.decodingBody("id", Operation.UPDATE, "roles/web", () -> {
            tries.incrementAndGet();
            return new HashMap<>(Map.of("flag", true));
        }, Caller.NONE, new Request.MountInfo("m/", "herald", "acc"), null);
        router().handle(request);
        assertEquals(Map.of("flag", true), seen.get("update").rawData());
        assertEquals(Map.of("flag", true), request.withOperation(Operation.CREATE).rawData());
        assertEquals(1, tries.get());
    }

    @Test
    @SuppressWarnings("unchecked")
    void helpDescribesPathsAndOpenApiDescribesEveryField() {
        Response root = router().handle(request(Operation.HELP, "", Map.of("requestResponsePrefix", "herald")));
        assertTrue(((String) root.data().get("help")).contains("roles/:name\n        Roles."));
        Map<String, Object> paths = (Map<String, Object>) ((Map<String, Object>) root.data().get("openapi")).get("paths");
        Map<String, Object> role = (Map<String, Object>) paths.get("/roles/{name}");
        Map<String, Object> post = (Map<String, Object>) role.get("post");
        Map<String, Object> schema = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>)
                ((Map<String, Object>) post.get("requestBody")).get("content")).get("application/json")).get("schema");
        Map<String, Object> properties = (Map<String, Object>) schema.get("properties");
        assertEquals(List.of("ttl", "tags", "flag"), List.copyOf(properties.keySet()));
        assertEquals(Map.of("type", "string", "description", "Lifetime. Must be greater than zero.", "default", "3600",
                "pattern", new Constraint.DurationRange(Duration.ZERO, true, "be greater than zero").pattern()),
                properties.get("ttl"), "no format: OpenAPI's \"duration\" is ISO 8601, and these are Go durations");
        assertEquals(false, schema.get("additionalProperties"), "a write with an unknown field is refused");
        assertEquals(List.of("flag"), schema.get("required"));
        assertEquals("write-herald-roles-name", post.get("operationId"), "parameters keep their names, so ids stay unique");
        Map<String, Object> list = (Map<String, Object>) ((Map<String, Object>) paths.get("/roles/")).get("get");
        assertEquals("list-herald-roles", list.get("operationId"));

        Response one = router().handle(request(Operation.HELP, "roles/web", Map.of()));
        String text = (String) one.data().get("help");
        assertTrue(text.contains("ttl (duration"), text);
        assertTrue(text.contains("Must be greater than zero."), text);
        assertTrue(text.contains("What roles do."), text);
        assertEquals(1, ((Map<String, Object>) ((Map<String, Object>) one.data().get("openapi")).get("paths")).size());
    }
    @Test
    void onAStandbyEveryRequestGoesToTheActiveNodeAndPeriodicWorkIsSkipped() {
        AtomicInteger periodicRuns = new AtomicInteger();
        AtomicInteger asked = new AtomicInteger();
        Router router = Router.builder("A test backend.", "")
                .path(Path.pattern("roles/:name").fields(NAME)
                        .read("Read a role.", request -> Response.data(Map.of("name", request.get(NAME)))))
                .periodic(periodicRuns::incrementAndGet)
                .servedByTheActiveNode(new SystemView() {
                    private final SystemView fixed = new dev.herald.sdk.testing.FixedSystemView(Map.of(), true);

                    @Override
                    public boolean standby() {
                        asked.incrementAndGet();
                        return fixed.standby();
                    }

                    @Override
                    public Duration defaultLeaseTtl() {
                        return fixed.defaultLeaseTtl();
                    }

                    @Override
                    public Duration maxLeaseTtl() {
                        return fixed.maxLeaseTtl();
                    }

                    @Override
                    public boolean tainted() {
                        return false;
                    }

                    @Override
                    public boolean localMount() {
                        return false;
                    }

                    @Override
                    public Optional<Entity> entity(String entityId) {
                        return Optional.empty();
                    }

                    @Override
                    public String serverVersion() {
                        return "test";
                    }
                })
                .build();
        for (Operation operation : List.of(Operation.READ, Operation.UPDATE, Operation.HELP)) {
            VaultException e = assertThrows(VaultException.class, () -> router.handle(request(operation, "roles/web", Map.of())));
            assertEquals(VaultException.Kind.FORWARD_TO_ACTIVE, e.kind());
        }
        assertTrue(router.handle(request(Operation.ROLLBACK, "", Map.of())).isNone());
        assertEquals(0, periodicRuns.get(), "no periodic work on a standby");
        assertEquals(1, asked.get(), "the node's role is asked once per mount");

        Router active = Router.builder("A test backend.", "")
                .path(Path.pattern("roles/:name").fields(NAME)
                        .read("Read a role.", request -> Response.data(Map.of("name", request.get(NAME)))))
                .servedByTheActiveNode(new dev.herald.sdk.testing.FixedSystemView(Map.of(), false))
                .build();
        assertEquals("web", active.handle(request(Operation.READ, "roles/web", Map.of())).data().get("name"));
    }

    @Test
    void onAStandbyReadsOfThePathsServedThereAreAnsweredAndEverythingElseForwarded() {
        AtomicInteger reads = new AtomicInteger();
        Router router = Router.builder("A test backend.", "")
                .path(Path.pattern("log/tile/*tile").fields(Field.string("tile", "A tile."))
                        .read("Read a tile.", request -> Response.data(Map.of("n", reads.incrementAndGet())))
                        .update("Write a tile.", request -> Response.none()))
                .path(Path.pattern("roles/:name").fields(NAME)
                        .read("Read a role.", request -> Response.data(Map.of("name", request.get(NAME)))))
                .servedByTheActiveNode(new dev.herald.sdk.testing.FixedSystemView(Map.of(), true), Set.of("log/tile/*tile"))
                .build();
        assertEquals(1, router.handle(request(Operation.READ, "log/tile/0/x001/002", Map.of())).data().get("n"));
        for (Request forwarded : List.of(request(Operation.UPDATE, "log/tile/0/001", Map.of()),
                request(Operation.READ, "roles/web", Map.of()), request(Operation.HELP, "log/tile/0/001", Map.of()),
                request(Operation.READ, "log/tile", Map.of()))) {
            VaultException e = assertThrows(VaultException.class, () -> router.handle(forwarded), forwarded.toString());
            assertEquals(VaultException.Kind.FORWARD_TO_ACTIVE, e.kind(), forwarded.toString());
        }
        assertEquals(1, reads.get(), "only the read of the path served on standbys ran here");
    }
}
