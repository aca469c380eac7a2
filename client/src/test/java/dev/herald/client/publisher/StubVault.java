package dev.herald.client.publisher;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.herald.client.Retry;
import dev.herald.client.VaultClient;
import dev.herald.client.VaultConfig;
import dev.herald.sdk.json.Json;
import java.io.IOException;
import java.io.StringReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

/**
 * A Vault that knows only what a publisher calls (publish, lease renew and revoke, revoke-self),
 * with the engine's rules for keys, revival and continuity, recording every request.
 */
final class StubVault implements AutoCloseable {
    /** One request as received: the token sent and the parsed JSON body (empty map for none). */
    record Call(String method, String path, String token, Map<String, Object> body) {
    }

    private record Lease(String id, String token, String instance) {
    }

    private static final class Instance {
        byte[] spki;
        Map<String, Object> claims;
        long generation;
        String leaseId;
        boolean live;
        long notBefore;
        long notAfter;
    }

    private final HttpServer server;
    private final Clock clock;
    private final List<Call> calls = new ArrayList<>();
    private final Map<String, Lease> leases = new HashMap<>();
    private final Map<String, Instance> instances = new HashMap<>();
    private final Set<String> invalidTokens = new HashSet<>();
    private long sequence;
    private int failNext;

    String issuer = "herald/";
    long leaseSeconds = 3600;
    /** Renewals grant at most this (the lease at its max_ttl); 0: no cap. */
    long renewCapSeconds;
    boolean leaseRevokeAllowed;

    StubVault(Clock clock) throws IOException {
        this.clock = clock;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    VaultClient client() {
        VaultConfig config = VaultConfig.builder()
                .address("http://127.0.0.1:" + server.getAddress().getPort()).build();
        return VaultClient.builder(config).retry(Retry.NONE).build();
    }

    synchronized List<Call> calls() {
        return List.copyOf(calls);
    }

    synchronized List<Call> calls(String path) {
        return calls.stream().filter(call -> call.path.equals(path)).toList();
    }

    synchronized Call last() {
        return calls.get(calls.size() - 1);
    }

    /** The lease ends (expiry, {@code vault lease revoke}): the publication ends with it. */
    synchronized void endLease(String leaseId) {
        end(leases.remove(leaseId));
    }

    /** The token is revoked: its leases, and their publications, end. */
    synchronized void revokeToken(String token) {
        invalidTokens.add(token);
        leases.values().removeIf(lease -> {
            if (lease.token.equals(token)) {
                end(lease);
                return true;
            }
            return false;
        });
    }

    /** The next {@code count} requests get a 500. */
    synchronized void failNext(int count) {
        failNext = count;
    }

    synchronized boolean live(String leaseId) {
        return leases.containsKey(leaseId);
    }

    private void end(Lease lease) {
        if (lease != null && instances.get(lease.instance).leaseId.equals(lease.id)) {
            instances.get(lease.instance).live = false;
        }
    }

    private synchronized void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath().replaceFirst("^/v1/", "");
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        Map<String, Object> json = body.isBlank() ? Map.of() : Json.parseObject(body);
        String token = exchange.getRequestHeaders().getFirst("X-Vault-Token");
        calls.add(new Call(exchange.getRequestMethod(), path, token, json));
        if (failNext > 0) {
            failNext--;
            answer(exchange, 500, Map.of("errors", List.of("internal error")));
            return;
        }
        if (token == null || invalidTokens.contains(token)) {
            answer(exchange, 403, Map.of("errors", List.of("permission denied")));
            return;
        }
        try {
            if (path.startsWith("herald/publish/")) {
                publish(exchange, path.substring("herald/publish/".length()), token, json);
            } else if (path.equals("sys/leases/renew")) {
                renew(exchange, json);
            } else if (path.equals("sys/leases/revoke")) {
                if (!leaseRevokeAllowed) {
                    answer(exchange, 403, Map.of("errors", List.of("1 error occurred:\n\t* permission denied\n\n")));
                    return;
                }
                endLease((String) json.get("lease_id"));
                answer(exchange, 204, null);
            } else if (path.equals("auth/token/revoke-self")) {
                revokeToken(token);
                answer(exchange, 204, null);
            } else {
                answer(exchange, 404, Map.of("errors", List.of("no handler for route " + path)));
            }
        } catch (GeneralSecurityException | RuntimeException e) {
            answer(exchange, 400, Map.of("errors", List.of("stub: " + e)));
        }
    }

    private void publish(HttpExchange exchange, String name, String token, Map<String, Object> json)
            throws IOException, GeneralSecurityException {
        PKCS10CertificationRequest csr;
        try (PEMParser parser = new PEMParser(new StringReader((String) json.get("csr")))) {
            csr = (PKCS10CertificationRequest) parser.readObject();
        }
        byte[] spki = csr.getSubjectPublicKeyInfo().getEncoded();
        try {
            if (!csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(csr.getSubjectPublicKeyInfo()))) {
                answer(exchange, 400, Map.of("errors", List.of("invalid csr: bad signature")));
                return;
            }
        } catch (Exception e) {
            answer(exchange, 400, Map.of("errors", List.of("invalid csr: " + e)));
            return;
        }
        Map<String, Object> claims = new LinkedHashMap<>(json);
        claims.keySet().removeAll(List.of("role", "csr", "continuity"));
        Instance instance = instances.computeIfAbsent(name, n -> new Instance());
        String fingerprint = PublisherKey.fingerprint(spki);
        boolean sameContent = instance.spki != null && Arrays.equals(instance.spki, spki) && instance.claims.equals(claims);
        if (instance.live && sameContent) {
            answer(exchange, 200, Map.of("data", data(name, instance, fingerprint, true)));
            return;
        }
        if (instance.spki != null && !sameContent) {
            Object continuity = json.get("continuity");
            if (!(continuity instanceof String signature)) {
                answer(exchange, 409, Map.of("errors", List.of("needs continuity")));
                return;
            }
            String[] parts = name.split("/");
            String message = String.join("\n", "herald-continuity-v1", issuer, parts[0], parts[1],
                    Long.toString(instance.generation), fingerprint);
            if (!verifies(instance.spki, message, Base64.getUrlDecoder().decode(signature))) {
                answer(exchange, 400, Map.of("errors", List.of("invalid continuity")));
                return;
            }
        }
        instance.spki = spki;
        instance.claims = claims;
        instance.generation++;
        instance.live = true;
        instance.notBefore = clock.instant().getEpochSecond();
        instance.notAfter = instance.notBefore + leaseSeconds;
        instance.leaseId = "herald/publish/" + name + "/" + UUID.randomUUID();
        leases.put(instance.leaseId, new Lease(instance.leaseId, token, name));
        sequence++;
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("lease_id", instance.leaseId);
        answer.put("renewable", true);
        answer.put("lease_duration", leaseSeconds);
        answer.put("data", data(name, instance, fingerprint, false));
        answer(exchange, 200, answer);
    }

    private Map<String, Object> data(String name, Instance instance, String fingerprint, boolean unchanged) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("service", name.split("/")[0]);
        data.put("instance", name.split("/")[1]);
        data.put("generation", instance.generation);
        data.put("fingerprint", fingerprint);
        data.put("not_before", instance.notBefore);
        data.put("not_after", instance.notAfter);
        data.put("sequence", sequence);
        data.put("unchanged", unchanged);
        return data;
    }

    private void renew(HttpExchange exchange, Map<String, Object> json) throws IOException {
        String id = (String) json.get("lease_id");
        if (!leases.containsKey(id)) {
            answer(exchange, 400, Map.of("errors", List.of("lease not found")));
            return;
        }
        long increment = ((Number) json.get("increment")).longValue();
        long granted = renewCapSeconds > 0 ? Math.min(increment, renewCapSeconds) : increment;
        Instance instance = instances.get(leases.get(id).instance);
        instance.notAfter = Math.max(instance.notAfter, clock.instant().getEpochSecond() + granted);
        answer(exchange, 200, Map.of("lease_id", id, "renewable", true, "lease_duration", granted));
    }

    static boolean verifies(byte[] spki, String message, byte[] signature) throws GeneralSecurityException {
        boolean ed25519 = SubjectPublicKeyInfo.getInstance(spki).getAlgorithm().getAlgorithm()
                .equals(EdECObjectIdentifiers.id_Ed25519);
        PublicKey key = KeyFactory.getInstance(ed25519 ? "Ed25519" : "EC").generatePublic(new X509EncodedKeySpec(spki));
        Signature verifier = Signature.getInstance(ed25519 ? "Ed25519" : "SHA256withECDSA");
        verifier.initVerify(key);
        verifier.update(message.getBytes(StandardCharsets.UTF_8));
        return verifier.verify(signature);
    }

    private static void answer(HttpExchange exchange, int status, Map<String, ?> body) throws IOException {
        if (body == null) {
            exchange.sendResponseHeaders(status, -1);
        } else {
            byte[] bytes = Json.write(body).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
        }
        exchange.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
