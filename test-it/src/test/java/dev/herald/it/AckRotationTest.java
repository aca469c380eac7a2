package dev.herald.it;

import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Acknowledged rotation on real servers (docs/design-ack.md §11.2), the engine's side: consumers
 * logged in through the jwt auth method (one entity each) acknowledge what discover served them; a
 * rotation of the publisher's key completes at the last acknowledgement and not before; a seq
 * never served is refused. Then the same with client processes: a {@code herald publish --follow}
 * sidecar, two {@code herald trust --follow} consumers and one library consumer ({@link AckConsumer}).
 */
@Timeout(180)
class AckRotationTest {
    private static final String SESSION_A = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    private static final String SESSION_B = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static HttpResult ack(PublishingMount flow, JwtIssuer.Login consumer, Map<String, Object> served, String session) {
        return flow.server.http("POST", flow.mount + "/ack/web", Map.of("seq", served.get("seq"),
                "ack_token", Json.at(served, "ack", "token"), "session", session), consumer.token());
    }

    private static Map<String, Object> discoverAs(PublishingMount flow, JwtIssuer.Login consumer) {
        return flow.server.http("GET", flow.mount + "/discover/web", null, consumer.token()).assertStatus(200).data();
    }

    @OnEachServer
    void aRotationCompletesAtTheLastAcknowledgementAndNotBefore(Herald herald) {
        PublishingMount flow = new PublishingMount(herald, "ackrot", "[\"create\",\"update\"]", "ttl=60s");
        flow.server.cli("write", flow.mount + "/config", "rotation_window=0.1", "min_overlap=1s", "record_ttl=5s",
                "max_overlap=50s", "consumer_ttl=10m").assertSuccess();
        flow.acknowledgingConsumers();
        JwtIssuer.Login a = flow.issuer.login("consumers", "consumer-a", Map.of());
        JwtIssuer.Login b = flow.issuer.login("consumers", "consumer-b", Map.of());

        JwtIssuer.Login pod = flow.pod("pod-1");
        Publisher first = Publisher.ed25519();
        flow.publish(pod, "pod-1", first, Map.of()).assertStatus(200);
        Map<String, Object> before = discoverAs(flow, a);
        ack(flow, a, before, SESSION_A).assertStatus(200);
        ack(flow, b, before, SESSION_B).assertStatus(200);
        HttpResult unserved = flow.server.http("POST", flow.mount + "/ack/web", Map.of("seq",
                ((Number) before.get("seq")).longValue() + 1, "ack_token", Json.at(before, "ack", "token"), "session", SESSION_A),
                a.token()).assertStatus(403);
        assertTrue(unserved.errors().contains("was not served"), unserved::toString);

        sleep(Duration.ofSeconds(7)); // past rotation_window 0.1 of 60 s
        Publisher second = Publisher.ed25519();
        Map<String, Object> rotated = flow.publish(pod, "pod-1", second, Map.of("continuity",
                first.continuityFor(second, flow.mount + "/", "web", "pod-1", 1))).assertStatus(200).data();
        assertEquals(true, Json.at(rotated, "rotation", "counted"), rotated::toString);

        sleep(Duration.ofSeconds(3)); // past min_overlap: without consumers the old key would have left
        Map<String, Object> rotatedRecord = discoverAs(flow, a);
        assertEquals(true, Json.at(rotatedRecord, "ack", "requested"));
        assertEquals(2, ((List<?>) rotatedRecord.get("instances")).size(), "both keys listed while consumers lag");
        Map<String, Object> afterA = ack(flow, a, rotatedRecord, SESSION_A).assertStatus(200).data();
        assertEquals(List.of(), afterA.get("completed"), "b has not moved yet");
        Map<String, Object> progress = flow.server.http("GET", flow.mount + "/rotation/web/pod-1", null)
                .assertStatus(200).data();
        assertEquals("pending", Json.at(((List<?>) progress.get("rotations")).getFirst(), "state"), progress::toString);
        assertEquals(1L, ((Number) Json.at(((List<?>) progress.get("rotations")).getFirst(), "unacknowledged")).longValue());

        Map<String, Object> afterB = ack(flow, b, discoverAs(flow, b), SESSION_B).assertStatus(200).data();
        assertEquals(1, ((List<?>) afterB.get("completed")).size(), "the last acknowledgement completes it: " + afterB);
        List<?> events = (List<?>) flow.server.http("GET", flow.mount + "/history/web", null).assertStatus(200).data()
                .get("events");
        assertEquals("rotation_end", Json.at(events.getLast(), "type"), events::toString);
        assertEquals(Json.at(events.getLast(), "actor", "entity_id"), b.entityId(), "history names who completed it");

        // A leave with the session as a query parameter, as DELETE carries it on both servers.
        flow.server.http("DELETE", flow.mount + "/ack/web?session=" + SESSION_A, null, a.token()).assertStatus(204);
        Map<String, Object> consumers = flow.server.http("GET", flow.mount + "/consumers/web", null).assertStatus(200).data();
        assertEquals(1L, ((Number) Json.at(consumers, "summary", "sessions")).longValue(), consumers::toString);
    }

    /**
     * §11.2's first two cases with client processes: a rotation waits for the trust process whose
     * --on-change hook refuses, past min_overlap, and completes when the hook lets it acknowledge,
     * the sidecar presenting the old key until then; a paused library consumer (SIGSTOP) holds the
     * next rotation until max_overlap, whose forced end in history names it; resumed, it acknowledges
     * again. Each process logs in through the jwt auth method with a sub of its own (its entity).
     */
    @OnEachServer
    @Timeout(420)
    void consumerProcessesHoldARotationUntilTheyHaveTheNewKey(Herald herald) throws Exception {
        PublishingMount flow = new PublishingMount(herald, "ackproc", "[\"create\",\"update\"]", "ttl=30s max_ttl=1h");
        DevServer server = flow.server;
        flow.server.cli("write", flow.mount + "/config", "rotation_window=0.1", "min_overlap=2s", "record_ttl=4s",
                "max_overlap=24s", "consumer_ttl=10m").assertSuccess();
        flow.acknowledgingConsumers();
        Path dir = Project.outputDir().resolve("ack-rotation").resolve(server.kind().cli());
        DevServer.deleteTree(dir);
        Files.createDirectories(dir);
        Path hold = dir.resolve("hold-b");
        try (ProcessGroup processes = new ProcessGroup(dir)) {
            List<String> connection = List.of("--address", server.address(), "--mount", flow.mount);
            Path certificate = dir.resolve("pod-1.crt");
            processes.start("sidecar", ProcessGroup.herald(ProcessGroup.concat(List.of("publish", "web", "pod-1", "--role", "web",
                    "--endpoint", "pod-1.web.internal:8443", "--ip", "10.0.0.7", "--dns", "pod-1.web.internal",
                    "--cert-out", certificate.toString(), "--key-out", dir.resolve("pod-1.key").toString(), "--follow",
                    "--rotate-every", "10s", "--auth", "jwt", "--auth-mount", flow.issuer.path(), "--auth-role", "pods",
                    "--jwt-file", flow.jwtFile(dir, "system:serviceaccount:prod:pod-1", Map.of("pod_uid", "pod-1")).toString()),
                    connection)));
            await("the sidecar's certificate", () -> Files.exists(certificate));
            for (String name : List.of("trust-a", "trust-b")) {
                List<String> trust = new java.util.ArrayList<>(List.of("trust", "web", "--out", dir.resolve(name + ".pem").toString(),
                        "--state", dir.resolve(name + "-state").toString(), "--follow", "--auth", "jwt", "--auth-mount",
                        flow.issuer.path(), "--auth-role", "consumers", "--jwt-file", flow.jwtFile(dir, name, Map.of()).toString()));
                if (name.equals("trust-b")) {
                    trust.addAll(List.of("--on-change", "test ! -e " + hold)); // installed only while no hold file exists
                }
                processes.start(name, ProcessGroup.herald(ProcessGroup.concat(trust, connection)));
            }
            processes.start("library", ProcessGroup.java(AckConsumer.class, List.of(server.address(), flow.mount, "web",
                    flow.issuer.path(), "consumers", flow.jwtFile(dir, "library", Map.of()).toString(),
                    dir.resolve("library-state").toString(), "0", "200")));
            String entityB = flow.issuer.login("consumers", "trust-b", Map.of()).entityId();
            String entityLibrary = flow.issuer.login("consumers", "library", Map.of()).entityId();
            await("three counted consumers", () -> summary(flow, "counted") == 3);

            // 1. The hook of trust-b refuses: the next rotation waits for it past min_overlap.
            Files.createFile(hold);
            Map<?, ?> first = pendingRotationAfter(flow, flow.seq());
            long firstFrom = number(first, "from_generation");
            String oldKey = (String) first.get("fingerprint_old");
            await("the two other consumers' acknowledgements", () -> rotation(flow, firstFrom)
                    .map(r -> number(r, "acknowledged") == 2 && number(r, "unacknowledged") == 1).orElse(false));
            await("min_overlap to pass", () -> Instant.now().getEpochSecond() > number(first, "min_end") + 1);
            Map<?, ?> waiting = rotation(flow, firstFrom).orElseThrow();
            assertEquals("pending", waiting.get("state"), waiting::toString);
            assertEquals(entityB, Json.at(((List<?>) waiting.get("unacknowledged_consumers")).getFirst(), "entity_id"),
                    "the consumer behind is named: " + waiting);
            assertEquals(oldKey, presented(certificate), "the sidecar presents the old key while a consumer lacks the new one");

            Files.delete(hold);
            Map<?, ?> firstEnd = awaitEnd(flow, firstFrom);
            assertTrue(((String) firstEnd.get("detail")).startsWith("acknowledged"), firstEnd::toString);
            assertEquals(entityB, Json.at(firstEnd, "actor", "entity_id"), "trust-b's acknowledgement completed it");
            assertTrue(eventTime(firstEnd) < number(first, "max_end"), "before max_overlap: " + firstEnd);
            String newKey = (String) first.get("fingerprint_new");
            await("the sidecar presenting the new key", () -> newKey.equals(presented(certificate)));
            assertTrue(processes.err("sidecar").contains("serving the new key of web/pod-1 (generation "
                    + number(first, "to_generation")), processes.err("sidecar"));

            // 2. The library consumer paused: the next rotation is held until max_overlap, then forced.
            String librarySession = processes.out("library").stream().filter(l -> l.startsWith("SESSION "))
                    .map(l -> l.substring(8)).findFirst().orElseThrow();
            processes.signal("library", "STOP");
            Map<?, ?> second = pendingRotationAfter(flow, flow.seq());
            // A deploy script waiting for it: herald rotation --wait exits 6 when it ends forced.
            Path rootToken = dir.resolve("root.token");
            Files.writeString(rootToken, server.rootToken());
            Process rotationWait = processes.start("rotation-wait", ProcessGroup.herald(ProcessGroup.concat(List.of("rotation", "web", "pod-1",
                    "--wait", "--timeout", "5m", "--auth", "token", "--token-file", rootToken.toString()), connection)));
            long secondFrom = number(second, "from_generation");
            await("the trust processes' acknowledgements", () -> rotation(flow, secondFrom)
                    .map(r -> number(r, "acknowledged") == 2).orElse(false));
            assertEquals("pending", rotation(flow, secondFrom).orElseThrow().get("state"));
            Map<?, ?> forced = awaitEnd(flow, secondFrom);
            String detail = (String) forced.get("detail");
            assertTrue(detail.startsWith("forced") && detail.contains(entityLibrary + "." + librarySession), detail);
            assertEquals(number(second, "max_end"), eventTime(forced), "dated max_overlap's end");

            assertTrue(rotationWait.waitFor(120, java.util.concurrent.TimeUnit.SECONDS), "rotation --wait ends");
            assertEquals(6, rotationWait.exitValue(), "exit 6: ended forced: " + processes.err("rotation-wait"));
            long resumedAt = flow.seq();
            processes.signal("library", "CONT");
            await("the resumed consumer's acknowledgement", () -> processes.out("library").stream()
                    .anyMatch(l -> l.startsWith("ACKED ") && Long.parseLong(l.split(" ")[1]) >= resumedAt));

            // Leaving: SIGTERM to a trust process removes its session at once.
            long sessions = summary(flow, "sessions");
            assertTrue(processes.terminate("trust-a", 30), "trust --follow stops on SIGTERM");
            assertEquals(sessions - 1, summary(flow, "sessions"), "it left");
            List<String> refusals = processes.out("library").stream().filter(l -> l.startsWith("REFRESH-FAILED")).toList();
            assertEquals(List.of(), refusals);
        }
    }



    private static long summary(PublishingMount flow, String member) {
        return number(Json.at(flow.server.http("GET", flow.mount + "/consumers/web", null).assertStatus(200).data(), "summary"),
                member);
    }

    private static long eventTime(Map<?, ?> event) {
        return Instant.parse((String) event.get("time")).getEpochSecond();
    }

    private static long number(Object map, String member) {
        return ((Number) ((Map<?, ?>) map).get(member)).longValue();
    }

    /** The rotation of pod-1 from generation {@code from}, while rotation/ lists it. */
    private static Optional<Map<?, ?>> rotation(PublishingMount flow, long from) {
        HttpResult answer = flow.server.http("GET", flow.mount + "/rotation/web/pod-1", null);
        if (answer.status() == 404) {
            return Optional.empty();
        }
        return ((List<?>) answer.assertStatus(200).data().get("rotations")).stream().<Map<?, ?>>map(r -> (Map<?, ?>) r)
                .filter(r -> number(r, "from_generation") == from).findFirst();
    }

    /** The first pending rotation of pod-1 that awaits a seq above {@code seq}. */
    private static Map<?, ?> pendingRotationAfter(PublishingMount flow, long seq) {
        Map<?, ?>[] found = new Map<?, ?>[1];
        await("a rotation after seq " + seq, () -> {
            HttpResult answer = flow.server.http("GET", flow.mount + "/rotation/web/pod-1", null);
            if (answer.status() != 200) {
                return false;
            }
            for (Object r : (List<?>) answer.data().get("rotations")) {
                if ("pending".equals(((Map<?, ?>) r).get("state")) && number(r, "awaiting_sequence") > seq) {
                    found[0] = (Map<?, ?>) r;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    /** The rotation_end event of the rotation from generation {@code from}, once history has it. */
    private static Map<?, ?> awaitEnd(PublishingMount flow, long from) {
        Map<?, ?>[] found = new Map<?, ?>[1];
        await("the rotation_end of generation " + from, () -> {
            for (Object e : (List<?>) flow.server.http("GET", flow.mount + "/history/web", null).assertStatus(200).data().get("events")) {
                if ("rotation_end".equals(((Map<?, ?>) e).get("type")) && number(e, "generation") == from) {
                    found[0] = (Map<?, ?>) e;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    /** The fingerprint of the key in the certificate file the sidecar writes. */
    private static String presented(Path certificate) {
        try {
            java.security.cert.X509Certificate parsed = (java.security.cert.X509Certificate) java.security.cert.CertificateFactory
                    .getInstance("X.509").generateCertificate(new java.io.ByteArrayInputStream(Files.readAllBytes(certificate)));
            return "sha256:" + java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(parsed.getPublicKey().getEncoded()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void await(String what, Supplier<Boolean> condition) {
        assertTrue(DevServer.await(Duration.ofSeconds(120), condition::get), () -> "no " + what + " within 120 s");
    }
}
