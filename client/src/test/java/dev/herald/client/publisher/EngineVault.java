package dev.herald.client.publisher;

import dev.herald.client.VaultClient;
import dev.herald.client.testing.StubVault;
import dev.herald.client.testing.StubVault.Answer;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
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
 * with the engine's rules for keys, revival and continuity; every request goes through one
 * {@link StubVault}, which records it.
 */
final class EngineVault implements AutoCloseable {
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

    private final StubVault stub = StubVault.http();
    private final Clock clock;
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
    /** What a rotation's publish answer carries as {@code rotation}, given its time; null: none (an older engine). */
    java.util.function.Function<java.time.Instant, Map<String, Object>> rotationAnswer;
    /** What {@code rotation/:service/:instance} answers (its data); null: 404, as for a rotation nobody awaited. */
    volatile Map<String, Object> rotationRead;
    /** Whether the token may read {@code rotation/}. */
    volatile boolean rotationReadAllowed = true;

    EngineVault(Clock clock) {
        this.clock = clock;
        stub.otherwise(this::handle);
    }

    VaultClient client() {
        return stub.client();
    }

    /** Every request so far. */
    List<StubVault.Request> calls() {
        return stub.requests();
    }

    List<StubVault.Request> calls(String path) {
        return stub.requests(path);
    }

    StubVault.Request last() {
        return stub.requests().getLast();
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

    private synchronized Answer handle(StubVault.Request request) {
        String path = request.path();
        Map<String, Object> json = request.body();
        String token = request.token();
        if (failNext > 0) {
            failNext--;
            return Answer.errors(500, "internal error");
        }
        if (token == null || invalidTokens.contains(token)) {
            return Answer.errors(403, "permission denied");
        }
        try {
            if (path.startsWith("herald/rotation/")) {
                if (!rotationReadAllowed) {
                    return Answer.errors(403, "1 error occurred:\n\t* permission denied\n\n");
                }
                return rotationRead == null ? Answer.errors(404, "no listed rotation awaited consumers")
                        : Answer.ok(Map.of("data", rotationRead));
            }
            if (path.startsWith("herald/publish/")) {
                return publish(path.substring("herald/publish/".length()), token, json);
            } else if (path.equals("sys/leases/renew")) {
                return renew(json);
            } else if (path.equals("sys/leases/revoke")) {
                if (!leaseRevokeAllowed) {
                    return Answer.errors(403, "1 error occurred:\n\t* permission denied\n\n");
                }
                endLease((String) json.get("lease_id"));
                return Answer.noContent();
            } else if (path.equals("auth/token/revoke-self")) {
                revokeToken(token);
                return Answer.noContent();
            }
            return Answer.errors(404, "no handler for route " + path);
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            return Answer.errors(400, "stub: " + e);
        }
    }

    private Answer publish(String name, String token, Map<String, Object> json)
            throws IOException, GeneralSecurityException {
        PKCS10CertificationRequest csr;
        try (PEMParser parser = new PEMParser(new StringReader((String) json.get("csr")))) {
            csr = (PKCS10CertificationRequest) parser.readObject();
        }
        byte[] spki = csr.getSubjectPublicKeyInfo().getEncoded();
        try {
            if (!csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(csr.getSubjectPublicKeyInfo()))) {
                return Answer.errors(400, "invalid csr: bad signature");
            }
        } catch (Exception e) {
            return Answer.errors(400, "invalid csr: " + e);
        }
        Map<String, Object> claims = new LinkedHashMap<>(json);
        claims.keySet().removeAll(List.of("role", "csr", "continuity"));
        Instance instance = instances.computeIfAbsent(name, n -> new Instance());
        String fingerprint = PublisherKey.fingerprint(spki);
        boolean sameContent = instance.spki != null && Arrays.equals(instance.spki, spki) && instance.claims.equals(claims);
        if (instance.live && sameContent) {
            return Answer.ok(Map.of("data", data(name, instance, fingerprint, true)));
        }
        if (instance.spki != null && !sameContent) {
            Object continuity = json.get("continuity");
            if (!(continuity instanceof String signature)) {
                return Answer.errors(409, "needs continuity");
            }
            String[] parts = name.split("/");
            String message = String.join("\n", "herald-continuity-v1", issuer, parts[0], parts[1],
                    Long.toString(instance.generation), fingerprint);
            if (!verifies(instance.spki, message, Base64.getUrlDecoder().decode(signature))) {
                return Answer.errors(400, "invalid continuity");
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
        Map<String, Object> data = data(name, instance, fingerprint, false);
        if (json.containsKey("continuity") && rotationAnswer != null) {
            data.put("rotation", rotationAnswer.apply(clock.instant()));
        }
        answer.put("data", data);
        return Answer.ok(answer);
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

    private Answer renew(Map<String, Object> json) {
        String id = (String) json.get("lease_id");
        if (!leases.containsKey(id)) {
            return Answer.errors(400, "lease not found");
        }
        long increment = ((Number) json.get("increment")).longValue();
        long granted = renewCapSeconds > 0 ? Math.min(increment, renewCapSeconds) : increment;
        Instance instance = instances.get(leases.get(id).instance);
        instance.notAfter = Math.max(instance.notAfter, clock.instant().getEpochSecond() + granted);
        return Answer.ok(Map.of("lease_id", id, "renewable", true, "lease_duration", granted));
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

    @Override
    public void close() {
        stub.close();
    }
}
