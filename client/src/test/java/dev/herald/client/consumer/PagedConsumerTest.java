package dev.herald.client.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herald.client.TokenSource;
import dev.herald.client.VaultException;
import dev.herald.client.testing.ManualClock;
import dev.herald.client.testing.StubVault;
import dev.herald.client.testing.TestKeys;
import dev.herald.sdk.json.Json;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A service larger than max_record_instances, read in signed pages, against a stub Vault that pages
 * as the engine's DiscoverPath does (names in order, next = the last listed while more follow).
 */
class PagedConsumerTest {
    private static final String DISCOVER = "herald/discover/payments";

    @TempDir
    Path temp;
    private StubVault vault;
    private final ManualClock clock = new ManualClock(Records.NOW.plusSeconds(1));
    private final TestSigner signer = TestSigner.ed25519();
    /** The engine's state: the live instances by name, the service's seq, the mount's max_record_instances. */
    private final TreeMap<String, PublicKey> live = new TreeMap<>();
    private long seq = 9;
    private int maxRecordInstances = 2;
    /**
     * The claims the engine signs for a read: the whole record (after null) or a page (after, limit);
     * a test replaces it to make the engine misbehave.
     */
    private BiFunction<String, Integer, Map<String, Object>> engine = this::claims;

    @BeforeEach
    void start() {
        vault = StubVault.http();
        vault.on("GET", "herald/jwks", request -> StubVault.Answer.ok(Map.of("data", TestSigner.jwks(signer))));
        vault.on("GET", DISCOVER, this::discover);
        for (int i = 1; i <= 5; i++) {
            live.put("web-" + i, i % 2 == 0 ? TestKeys.p256().getPublic() : TestKeys.ed25519().getPublic());
        }
    }

    @AfterEach
    void stop() {
        vault.close();
    }

    private StubVault.Answer discover(StubVault.Request request) {
        boolean page = request.query().containsKey("after") || request.query().containsKey("limit");
        if (!page && live.size() > maxRecordInstances) {
            return StubVault.Answer.errors(400, "service payments has " + live.size() + " live instances, more than"
                    + " max_record_instances (" + maxRecordInstances + ") of this mount: read its record in pages (limit,"
                    + " after) or one instance at a time");
        }
        Map<String, Object> claims = engine.apply(page ? request.query().getOrDefault("after", "") : null,
                Integer.valueOf(request.query().getOrDefault("limit", String.valueOf(maxRecordInstances))));
        return vault.read(request, Map.of("record", signer.sign(DiscoveryRecord.TYPE, claims)));
    }

    /** What the engine signs now: the whole record (after null), or the page after {@code after}. */
    @SuppressWarnings("unchecked")
    private Map<String, Object> claims(String after, int limit) {
        if (after == null) {
            return Records.claims("payments", "service", seq, instances(live.keySet()).toArray(Map[]::new));
        }
        List<String> following = live.tailMap(after, false).keySet().stream().limit(limit + 1L).toList();
        List<String> listed = following.stream().limit(limit).toList();
        return Records.page("payments", seq, after, following.size() > limit ? listed.getLast() : "", live.size(),
                instances(listed));
    }

    private List<Map<String, Object>> instances(Iterable<String> names) {
        List<Map<String, Object>> instances = new ArrayList<>();
        names.forEach(name -> instances.add(Records.instance(name, 1, live.get(name))));
        return instances;
    }

    /** {@code claims} with {@code name} set to {@code value}. */
    private static Map<String, Object> with(Map<String, Object> claims, String name, Object value) {
        Map<String, Object> changed = new LinkedHashMap<>(claims);
        changed.put(name, value);
        return changed;
    }

    private Consumer.Builder consumer() {
        return Consumer.builder(vault.client(), TokenSource.of("caller-token"), "payments").clock(clock);
    }

    /** The cursors the pages were asked for with, in order. */
    private List<String> cursorsAsked() {
        return vault.requests(DISCOVER).stream().filter(request -> request.query().containsKey("after"))
                .map(request -> request.query().get("after")).toList();
    }

    @Test
    void aServiceTooLargeForOneRecordIsReadInThreeWrappedPagesCombinedInOrder() {
        StateDirectory state = StateDirectory.open(temp);
        Consumer consumer = consumer().state(state).build();
        DiscoveryRecord record = consumer.refresh();

        assertEquals(DiscoveryRecord.Scope.PAGE, record.scope());
        assertEquals(List.of("web-1", "web-2", "web-3", "web-4", "web-5"), record.instances().stream().map(Instance::name).toList());
        assertEquals(List.copyOf(live.values()), record.publicKeys());
        assertEquals(9, record.seq());
        assertEquals(Records.NOW.plusSeconds(300), record.expiresAt());
        assertEquals(3, record.pages().size());
        assertEquals(List.of("", "web-2", "web-4"), record.pages().stream().map(p -> p.page().orElseThrow().after()).toList());
        assertEquals(3, record.compacts().size());
        assertThrows(IllegalStateException.class, record::compact, "no single JWT");
        assertEquals(record, consumer.trustManager().installed().orElseThrow());
        assertEquals(9, state.highestSeq("herald/", "payments").orElseThrow());

        assertEquals(List.of("", "web-2", "web-4"), cursorsAsked());
        assertEquals(4, vault.requests(DISCOVER).size(), "the whole record first, refused, then three pages");
        assertEquals(3, vault.requests("sys/wrapping/unwrap").size(), "each page is its own wrapped answer");
        assertTrue(vault.requests(DISCOVER).stream().allMatch(request -> "60s".equals(request.header("X-Vault-Wrap-TTL"))));
        assertFalse(vault.requests(DISCOVER).getLast().query().containsKey("limit"), "pages as large as the mount allows");

        consumer.refresh();
        assertEquals(7, vault.requests(DISCOVER).size(), "from then on, straight to the pages");
    }

    @Test
    void aPageSizeAlwaysPagesAndTheCombinedRecordPrintsAndVerifiesOffline() {
        maxRecordInstances = 10;
        DiscoveryRecord record = consumer().pageSize(2).withoutWrapping().build().refresh();
        assertEquals(5, record.instances().size());
        assertEquals(3, vault.requests(DISCOVER).size(), "no whole record asked");
        assertEquals(List.of("2", "2", "2"), vault.requests(DISCOVER).stream().map(r -> r.query().get("limit")).toList());

        Map<String, Object> json = record.toJson();
        assertEquals(List.of("records", "iss", "sub", "iat", "exp", "scope", "seq", "instances"), List.copyOf(json.keySet()));
        assertEquals(record.compacts(), json.get("records"));
        assertEquals("page", json.get("scope"));
        assertEquals(5, ((List<?>) json.get("instances")).size());

        SignerKeys keys = SignerKeys.fromJwks(TestSigner.jwks(signer));
        RecordVerifier verifier = RecordVerifier.builder().issuer("herald/").anyService().clock(clock).build();
        assertEquals(record.instances().size(), Consumer.verifySaved(Json.write(json), keys, verifier, null).instances().size());
        List<String> pages = record.compacts();
        RecordVerifierTest.assertMessage("page after is \"web-2\", expected \"\"", () -> Consumer.verifySaved(
                Json.write(with(json, "records", pages.subList(1, 3))), keys, verifier, null));
        RecordVerifierTest.assertMessage("end before their last", () -> Consumer.verifySaved(
                Json.write(with(json, "records", pages.subList(0, 2))), keys, verifier, null));
        RecordVerifierTest.assertMessage("go on after their last", () -> Consumer.verifySaved(
                Json.write(with(json, "records", List.of(pages.get(0), pages.get(1), pages.get(2), pages.get(2)))), keys, verifier, null));
        assertThrows(IllegalArgumentException.class, () -> consumer().pageSize(2).instance("web-1").build());
        assertThrows(IllegalArgumentException.class, () -> consumer().pageSize(0));
    }

    @Test
    void aPageWhoseAfterIsNotTheCursorAskedForIsRefused() {
        // the first page again where the one after web-2 was asked for
        engine = (after, limit) -> claims("web-2".equals(after) ? "" : after, limit);
        RecordVerifierTest.assertMessage("page after is \"\", expected \"web-2\" (the cursor asked for)", () -> consumer().build().refresh());
    }

    @Test
    void aPageNeverStandsInForTheWholeRecordNorTheOtherWayRound() {
        engine = (after, limit) -> "web-2".equals(after) ? claims(null, limit) : claims(after, limit);
        RecordVerifierTest.assertMessage("record scope is \"service\", expected \"page\" (asked for the page after \"web-2\")",
                () -> consumer().build().refresh());

        maxRecordInstances = 10;
        engine = (after, limit) -> claims(after == null ? "" : after, limit);
        RecordVerifierTest.assertMessage("record scope is \"page\", expected \"service\" (asked for the whole service)",
                () -> consumer().build().refresh());
    }

    @Test
    void seqGoingDownBetweenPagesIsARollback() {
        engine = (after, limit) -> "web-2".equals(after) ? with(claims(after, limit), "seq", 8L) : claims(after, limit);
        RecordVerifierTest.assertMessage("rollback: seq 8 is lower than 9", () -> consumer().build().refresh());
        // without state too (a saved record's pages): the walk itself refuses it
        RecordVerifierTest.assertMessage("rollback: seq 8 is lower than 9", () -> PageWalk.walk(after -> RecordVerifier.builder().issuer("herald/")
                .service("payments").clock(clock).build().verifyPage(signer.sign(DiscoveryRecord.TYPE, engine.apply(after, 2)),
                        SignerKeys.fromJwks(TestSigner.jwks(signer)), after), 0, clock));
    }

    @Test
    void seqGoingUpMidWalkStartsTheWalkAgain() {
        PublicKey web6 = TestKeys.ed25519().getPublic();
        engine = (after, limit) -> {
            if ("web-2".equals(after) && !live.containsKey("web-6")) {
                live.put("web-6", web6); // an instance joins while the first walk is at its second page
                seq = 10;
            }
            return claims(after, limit);
        };
        DiscoveryRecord record = consumer().build().refresh();
        assertEquals(10, record.seq());
        assertEquals(6, record.instances().size());
        assertTrue(record.pages().stream().allMatch(page -> page.seq() == 10), "one consistent set");
        assertEquals(List.of("", "web-2", "", "web-2", "web-4"), cursorsAsked());
    }

    @Test
    void aServiceThatChangesUnderEveryWalkIsAcceptedAsTheUnionAfterAFewRestarts() {
        engine = (after, limit) -> {
            if (!after.isEmpty()) {
                seq++;
            }
            return claims(after, limit);
        };
        DiscoveryRecord record = consumer().build().refresh();
        assertEquals(5, record.instances().size());
        assertEquals(PageWalk.RESTARTS + 1, cursorsAsked().stream().filter(String::isEmpty).count());
        assertEquals(List.of(12L, 13L, 14L), record.pages().stream().map(DiscoveryRecord::seq).toList());
        assertEquals(14, record.seq(), "the highest");
    }

    @Test
    void anExpiredPageIsRefused() {
        engine = (after, limit) -> "web-2".equals(after) ? with(claims(after, limit), "exp", Records.NOW.getEpochSecond())
                : claims(after, limit);
        RecordVerifierTest.assertMessage("record expired at", () -> consumer().build().refresh());

        // and a page that expires before the walk ends
        engine = (after, limit) -> {
            if ("web-4".equals(after)) {
                clock.set(Records.NOW.plusSeconds(20));
            }
            return "".equals(after) ? with(claims(after, limit), "exp", Records.NOW.plusSeconds(10).getEpochSecond())
                    : claims(after, limit);
        };
        RecordVerifierTest.assertMessage("expired at " + Records.NOW.plusSeconds(10) + " before the walk ended", () -> consumer().build().refresh());
    }

    @Test
    void pagesThatDoNotAddUpAreRefused() {
        engine = (after, limit) -> with(claims(after, limit), "total", 6L);
        RecordVerifierTest.assertMessage("list 5 instances, but say it has 6", () -> consumer().build().refresh());
        engine = (after, limit) -> "web-2".equals(after) ? with(claims(after, limit), "next", "web-9") : claims(after, limit);
        RecordVerifierTest.assertMessage("has next \"web-9\", which is not the last instance it lists", () -> consumer().build().refresh());
    }

    @Test
    void otherRefusalsOfTheWholeRecordAreNotPaged() {
        vault.on("GET", DISCOVER, request -> StubVault.Answer.errors(400, "invalid service"));
        assertEquals(400, assertThrows(VaultException.class, () -> consumer().build().refresh()).status());
        assertEquals(1, vault.requests(DISCOVER).size());
    }
}
