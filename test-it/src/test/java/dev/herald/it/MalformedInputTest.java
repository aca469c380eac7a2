package dev.herald.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.AlgorithmParameterSpec;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.RSAKeyGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.IntStream;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Object;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.ECNamedCurveTable;
import org.bouncycastle.asn1.x9.X962Parameters;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;

/**
 * DESIGN §7: "Bad input gets a clear 4xx error and changes nothing; tests prove it." One mount with
 * one good publication, then a table of malformed requests (bad PEM, wrong key types, weak RSA,
 * off-curve points, oversize metadata, bad names, bad durations, disallowed claims, bad config and
 * role values, wrong identities...): each must get the expected 4xx whose {@code errors} name the
 * problem, and the mount's observable state (records, services, history, config, roles, signer)
 * must be the same after each of them.
 */
@Timeout(300)
class MalformedInputTest {

    private static final String MOUNT = "bad-input";
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Only to make keys and requests the JDK cannot (secp256k1); never installed as a provider. */
    private static final Provider BC = new BouncyCastleProvider();

    /** Whose token sends a request. */
    private enum Who {
        /** The root token: operator paths. */
        ROOT,
        /** pod-1, the workload with the one good publication. */
        POD1,
        /** pod-2, a workload that has published nothing yet: the publisher of most bad requests. */
        POD2,
        /**
         * pod-3 to pod-5: one workload each for the requests the engine is known to accept wrongly, so
         * that a wrong acceptance does not turn the next requests into rotations.
         */
        POD3, POD4, POD5
    }

    /** As a {@link Case#status}: any 4xx will do (the engine may refuse it as 400 or 403). */
    private static final int ANY_4XX = 0;

    /**
     * One malformed request and what must come back: {@code status} ({@link #ANY_4XX} for any 4xx),
     * and {@code errors} containing at least one of {@code fragments} (two only where OpenBao and
     * Vault word a server-side refusal differently, or where a fix may word it either way).
     */
    private record Case(String what, String method, String path, Object body, Who who, int status,
                        List<String> fragments) {
        @Override
        public String toString() {
            return "[" + what + "] " + method + " " + path;
        }
    }

    /** The key of pod-1's good publication, as the CSR it was published with. */
    private final String goodCsr = Publisher.ed25519().csrPem();
    /** pod-2's key (also pod-1's would-be successor in the rotation cases), and its CSR. */
    private final Publisher next = Publisher.ed25519();
    private final String nextCsr = next.csrPem();

    @OnEachServer
    void everyMalformedInputGetsA4xxNamingTheProblemAndChangesNothing(Herald herald) {
        DevServer server = herald.server();
        String mount = herald.enable(MOUNT);
        JwtIssuer issuer = JwtIssuer.enable(server, "jwt-" + MOUNT);
        JwtIssuer.policy(server, MOUNT + "-publisher", "path \"" + mount + "/publish/*\" { capabilities = "
                + "[\"create\", \"update\"] }\npath \"" + mount + "/discover/*\" { capabilities = [\"read\"] }\n");
        issuer.role("pods", List.of(MOUNT + "-publisher"), Map.of("pod_uid", "pod_uid"));
        Map<String, Object> role = map("services", List.of("web"), "instance", "{{alias.metadata.pod_uid}}",
                "bound_mount_accessor", issuer.mountAccessor(), "allowed_dns_names", List.of("*.web.internal"),
                "allowed_cidrs", List.of("10.0.0.0/8"), "allowed_ports", List.of("443", "8443"));
        server.http("POST", mount + "/roles/web", role).assertStatus(200);
        // For bare public keys (no proof of possession), and without rsa among its key types.
        Map<String, Object> raw = new LinkedHashMap<>(role);
        raw.put("require_proof", false);
        raw.put("key_types", List.of("ed25519", "ec-p256", "ec-p384"));
        server.http("POST", mount + "/roles/raw", raw).assertStatus(200);
        // Rotation opens after 1% of a publication's life: 6 s of the good publication's 10 min.
        server.http("POST", mount + "/config", map("rotation_window", 0.01)).assertStatus(200);

        Map<Who, String> tokens = new LinkedHashMap<>();
        tokens.put(Who.ROOT, server.rootToken());
        tokens.put(Who.POD1, pod(issuer, "pod-1").token());
        tokens.put(Who.POD2, pod(issuer, "pod-2").token());
        for (Who who : List.of(Who.POD3, Who.POD4, Who.POD5)) {
            tokens.put(who, pod(issuer, podName(who)).token());
        }

        // The one good publication: the state every bad request must leave alone.
        HttpResult published = server.http("POST", mount + "/publish/web/pod-1", goodBody(goodCsr, "pod-1"),
                tokens.get(Who.POD1)).assertStatus(200);
        long notBefore = ((Number) published.data().get("not_before")).longValue();
        long notAfter = ((Number) published.data().get("not_after")).longValue();
        Instant rotationOpens = Instant.ofEpochSecond(notBefore).plusMillis((long) Math.ceil((notAfter - notBefore) * 10.0));
        sleepUntil(rotationOpens.plusSeconds(1)); // so that continuity is checked, not the window

        List<Case> cases = cases();
        assertTrue(cases.size() >= 55, "at least 55 cases, got " + cases.size());

        Map<String, Object> state = snapshot(server, mount);
        List<Executable> checks = new ArrayList<>();
        for (Case c : cases) {
            HttpResult result = server.http(c.method(), mount + "/" + c.path(), c.body(), tokens.get(c.who()));
            Map<String, Object> before = state;
            Map<String, Object> after = snapshot(server, mount);
            if (c.status() == ANY_4XX) {
                checks.add(() -> assertTrue(result.status() >= 400 && result.status() < 500, c + ": expected a 4xx: " + result));
            } else {
                checks.add(() -> assertEquals(c.status(), result.status(), c + ": " + result));
            }
            checks.add(() -> assertTrue(c.fragments().stream().anyMatch(result.errors()::contains),
                    () -> c + ": the errors should name the problem (" + String.join(" | ", c.fragments()) + "): " + result));
            List<String> changed = before.keySet().stream()
                    .filter(key -> !Objects.equals(before.get(key), after.get(key))).toList();
            checks.add(() -> assertTrue(changed.isEmpty(),
                    () -> c + " changed the mount's state (" + String.join(", ", changed) + "); answer: " + result));
            state = after; // so that one wrongly accepted request does not fail every later one
        }
        // The base body was good all along: each refusal above was for its one bad part.
        HttpResult control = server.http("POST", mount + "/publish/web/pod-2", goodBody(nextCsr, "pod-2"), tokens.get(Who.POD2));
        checks.add(() -> assertEquals(200, control.status(), "control: pod-2's base body publishes: " + control));
        assertAll(checks);
    }

    // ---- the table ----

    private List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        String csr = nextCsr;
        String certificate = next.selfSignedCertificatePem();
        Keys keys = Keys.get();

        // -- PEM and key material (csr, certificate, public_key) --
        cases.add(publish("csr without a BEGIN line", map("csr", "hello, I am a key"), 400, "invalid csr", "not PEM"));
        cases.add(publish("csr whose body is not base64", map("csr", pemText("CERTIFICATE REQUEST", "!!!!not*base64!!!!")),
                400, "invalid csr: the PEM body is not valid base64"));
        cases.add(publish("csr PEM cut in half", map("csr", csr.substring(0, csr.length() / 2)),
                400, "invalid csr: no -----END CERTIFICATE REQUEST----- line"));
        byte[] csrDer = der(csr);
        cases.add(publish("csr DER truncated", map("csr", JwtIssuer.pem("CERTIFICATE REQUEST",
                Arrays.copyOf(csrDer, csrDer.length - 8))), 400, "invalid csr: the PEM body is not valid DER"));
        cases.add(publish("csr with text before the PEM block", map("csr", "key follows\n" + csr),
                400, "invalid csr: text before the PEM block"));
        cases.add(publish("csr with an encryption header", map("csr", csr.replaceFirst("-----\n",
                "-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00112233445566778899AABBCCDDEEFF\n\n")),
                400, "invalid csr: PEM headers"));
        cases.add(publish("csr of 70,000 characters", map("csr", pemText("CERTIFICATE REQUEST", "A".repeat(70_000))),
                400, "invalid csr: longer than"));
        cases.add(publish("csr field holding a private key", map("csr", keys.privateKeyPem),
                400, "invalid csr: this is a private key"));
        cases.add(publish("csr field holding a public key", map("csr", next.publicKeyPem()),
                400, "invalid csr: expected a PEM block labelled CERTIFICATE REQUEST"));
        cases.add(publish("csr whose DER is an SPKI, not a request", map("csr",
                JwtIssuer.pem("CERTIFICATE REQUEST", next.spki())), 400, "invalid csr"));
        cases.add(publish("csr with a tampered signature", map("csr", JwtIssuer.pem("CERTIFICATE REQUEST",
                flipByte(csrDer, csrDer.length - 5))), 400, "invalid csr: the request's signature does not verify"));
        cases.add(publish("csr signed with SHA-1", map("csr", keys.sha1Csr),
                400, "invalid csr: signature algorithm 1.2.840.113549.1.1.5 is not accepted"));
        cases.add(publish("csr of a secp256k1 key", map("csr", keys.secp256k1Csr), 400, "invalid csr: unsupported EC curve"));
        cases.add(publish("csr of a P-521 key", map("csr", keys.p521Csr), 400, "invalid csr: unsupported EC curve"));
        cases.add(publish("csr of a DSA key", map("csr", keys.dsaCsr), 400, "invalid csr: unsupported key algorithm DSA"));
        cases.add(publish("csr of a 1024-bit RSA key", map("csr", keys.rsa1024Csr),
                400, "RSA key of 1024 bits is shorter than the role's min_rsa_bits (2048)"));
        cases.add(publish("two certificates", map("csr", null, "certificate", certificate + keys.otherCertificate),
                400, "invalid certificate: more than one PEM block"));
        cases.add(publish("certificate field holding a CSR", map("csr", null, "certificate", csr),
                400, "invalid certificate: expected a PEM block labelled CERTIFICATE"));
        cases.add(publish("certificate signed by another key", map("csr", null, "certificate",
                keys.certificateSignedByAnother(next)), 400, "invalid certificate: it is not self-signed"));
        cases.add(publish("public_key under a role that requires proof", map("csr", null, "public_key", next.publicKeyPem()),
                400, "requires proof of possession"));
        cases.add(publishRaw("public_key holding a private key", keys.privateKeyPem, 400, "invalid public_key: this is a private key"));
        cases.add(publishRaw("X25519 public key", keys.x25519Pem, 400, "invalid public_key: unsupported key algorithm X25519"));
        cases.add(publishRaw("RSA public exponent 3", keys.rsaExponent3Pem, 400,
                "invalid public_key: the RSA public exponent must be odd, at least 65537"));
        cases.add(publishRaw("P-256 point off the curve", keys.offCurvePem, 400, "invalid public_key: the EC point is not on the curve"));
        cases.add(publishRaw("Ed25519 small-order point", keys.ed25519SmallOrderPem, 400,
                "invalid public_key: the Ed25519 key is not a valid point of prime order"));
        cases.add(publishRaw("RSA key under a role without rsa", keys.rsa2048Pem, 400, "key type rsa is not allowed by role raw"));
        cases.add(publishRaw("RSA modulus with a small prime factor", keys.rsaSmallFactorPem, 400,
                "invalid public_key: the RSA modulus has a small prime factor"));
        cases.add(publishRaw("RSA modulus of 16400 bits", keys.rsaHugePem, 400, "invalid public_key: RSA keys longer than 16384 bits"));
        cases.add(publishRaw("EC key with explicit curve parameters", keys.explicitCurvePem, 400,
                "invalid public_key: EC keys with explicit curve parameters are not accepted"));
        cases.add(publishRaw("compressed P-256 point", keys.compressedPointPem, 400, "invalid public_key: the EC point must be uncompressed"));
        cases.add(publishRaw("Ed25519 key of 31 bytes", keys.ed25519ShortPem, 400, "invalid public_key: an Ed25519 key is 32 bytes"));
        cases.add(publishRaw("SPKI in BER, not DER", keys.berPem, 400, "invalid public_key: not DER-encoded"));
        cases.add(publishRaw("SPKI with trailing bytes", keys.trailingBytesPem, 400, "invalid public_key: the PEM body is not valid DER"));
        cases.add(publish("csr of 16,000 nested ASN.1 sequences", map("csr", JwtIssuer.pem("CERTIFICATE REQUEST", keys.nested)),
                400, "invalid csr"));

        // -- exactly one key form --
        cases.add(publish("csr and certificate at once", map("certificate", certificate), 400, "exactly one of csr, certificate and public_key"));
        cases.add(publish("csr and public_key at once", map("public_key", next.publicKeyPem()), 400, "exactly one of csr, certificate and public_key"));
        cases.add(publish("no key at all", map("csr", null), 400, "exactly one of csr, certificate and public_key (got 0)"));
        cases.add(publish("csr of the wrong JSON type", map("csr", map("pem", csr)), 400, "invalid csr: expected a string"));

        // -- role and fields --
        cases.add(publish("unknown role", map("role", "nope"), 400, "invalid role: no role named nope"));
        cases.add(publish("missing role", map("role", null), 400, "missing role"));
        cases.add(publish("role name with a space", map("role", "web role"), 400, "invalid role"));
        cases.add(publish("empty role name", map("role", ""), 400, "invalid role"));
        cases.add(publish("unknown field", map("colour", "blue"), 400, "unknown field \"colour\""));
        cases.add(new Case("body not a JSON object", "POST", "publish/web/pod-2", "[1, 2]", Who.POD2, 400, List.of("JSON")));
        cases.add(new Case("body not JSON", "POST", "publish/web/pod-2", "role=web", Who.POD2, 400, List.of("JSON")));

        // -- metadata --
        cases.add(publish("metadata beyond max_metadata_bytes", map("metadata", Map.of("blob", "x".repeat(5000))),
                400, "invalid metadata", "more than max_metadata_bytes (4096)"));
        cases.add(publish("metadata not a map", map("metadata", 42), 400, "invalid metadata"));
        cases.add(publish("metadata a list of non-pairs", map("metadata", List.of("zone")), 400, "invalid metadata"));
        cases.add(publish("metadata with a number value", map("metadata", Map.of("zone", 1)), 400, "invalid metadata"));
        cases.add(publish("metadata key of 129 characters", map("metadata", Map.of("k".repeat(129), "v")),
                400, "invalid metadata: keys must be 1-128 characters"));

        // -- names in the path --
        cases.add(publishAt("upper-case service", "publish/WEB/pod-2", 400, "invalid service"));
        cases.add(publishAt("'..' as the instance", "publish/web/%2E%2E", 400, "invalid instance", "relative paths"));
        cases.add(publishAt("instance starting with '.'", "publish/web/..pod-2", 400, "invalid instance"));
        cases.add(publishAt("upper-case instance", "publish/web/Pod-2", 400, "invalid instance"));
        cases.add(publishAt("service of 129 characters", "publish/" + "s".repeat(129) + "/pod-2", 400, "invalid service"));
        cases.add(publishAt("instance of 129 characters", "publish/web/" + "p".repeat(129), 400, "invalid instance"));
        cases.add(publishAt("empty instance", "publish/web/", 400, "path ending in '/'"));
        cases.add(publishAt("service starting with '-'", "publish/-web/pod-2", 400, "invalid service"));
        cases.add(publishAt("non-ASCII service", "publish/w%C3%A9b/pod-2", 400, "invalid service"));
        cases.add(publishAt("instance with a space", "publish/web/pod%202", 400, "invalid instance"));

        // -- durations --
        cases.add(publish("negative ttl", map("ttl", "-5s"), 400, "invalid ttl"));
        cases.add(publish("ttl not a duration", map("ttl", "abc"), 400, "invalid ttl"));
        cases.add(publish("ttl with an unknown unit", map("ttl", "1 fortnight"), 400, "invalid ttl"));
        cases.add(publish("zero ttl", map("ttl", 0), 400, "invalid ttl"));
        cases.add(publish("fractional seconds ttl", map("ttl", 1.5), 400, "invalid ttl"));

        // -- endpoint claims --
        cases.add(publish("ip address outside allowed_cidrs", map("ip_addresses", List.of("192.168.1.5")),
                403, "address 192.168.1.5 is not in allowed_cidrs"));
        cases.add(publish("ip address that is not one", map("ip_addresses", List.of("10.0.0.300")),
                400, "invalid ip_addresses"));
        cases.add(publish("dns name outside allowed_dns_names", map("dns_names", List.of("pod-2.evil.example")),
                403, "not in allowed_dns_names"));
        cases.add(publish("upper-case dns name", map("dns_names", List.of("POD-2.web.internal")), 400, "invalid dns_names"));
        cases.add(publish("endpoint on a port not allowed", map("endpoints", List.of("pod-2.web.internal:9000")),
                403, "port 9000 is not in allowed_ports"));
        cases.add(publish("endpoint without a port", map("endpoints", List.of("pod-2.web.internal")),
                400, "invalid endpoints", "needs a port"));
        cases.add(publish("endpoint with user information", map("endpoints", List.of("https://admin:secret@pod-2.web.internal:8443/")),
                400, "invalid endpoints", "user information"));
        cases.add(publish("endpoint on port 70000", map("endpoints", List.of("pod-2.web.internal:70000")),
                400, "invalid endpoints: port 70000"));
        cases.add(publish("endpoint on an address outside allowed_cidrs", map("endpoints", List.of("172.16.0.1:443")),
                403, "endpoints: address 172.16.0.1 is not in allowed_cidrs"));
        cases.add(publish("endpoint host outside allowed_dns_names", map("endpoints", List.of("evil.example:443")),
                403, "endpoints: name evil.example is not in allowed_dns_names"));
        cases.add(publish("endpoint that is a path", map("endpoints", List.of("pod-2.web.internal/x:443")),
                400, "invalid endpoints"));
        cases.add(publish("65 endpoints", map("endpoints", IntStream.range(0, 65).mapToObj(i -> "pod-2.web.internal:8443").toList()),
                400, "invalid endpoints: at most 64 entries, got 65"));
        cases.add(publish("endpoints of the wrong JSON type", map("endpoints", 8443), 400, "invalid endpoints"));
        // A URL of a scheme without a known default port names no port, yet implies one (redis: 6379):
        // with allowed_ports set, it must not pass unchecked.
        cases.add(claimAs(Who.POD3, "URL endpoint whose scheme implies a port not allowed",
                map("endpoints", List.of("redis://pod-3.web.internal/")), 400, "has no port"));
        // "010.0.0.1" is 10.0.0.1 to Java but 8.0.0.1 to inet_aton (octal): ambiguous, so not an address
        // a role's allowed_cidrs can vouch for (Go's net.ParseIP refuses it since 1.17, CVE-2021-29923).
        cases.add(claimAs(Who.POD4, "ip address with a leading zero (octal to some parsers)",
                map("ip_addresses", List.of("010.0.0.1")), 400, "invalid ip_addresses"));
        cases.add(claimAs(Who.POD5, "endpoint address with a leading zero (octal to some parsers)",
                map("endpoints", List.of("010.0.0.1:8443")), 400, "invalid endpoints"));

        // -- identity --
        cases.add(publishAt("another pod's instance (live)", "publish/web/pod-1", 403, "requires the instance to be"));
        cases.add(publishAt("another pod's instance (new)", "publish/web/pod-3", 403, "requires the instance to be"));
        cases.add(publishAt("a service the role does not allow", "publish/api/pod-2", 403, "does not allow publishing service api"));
        cases.add(new Case("root token without an identity entity", "POST", "publish/web/pod-2", publishBody(map()), Who.ROOT,
                403, List.of("identity entity")));
        cases.add(new Case("publisher writing config", "POST", "config", map("max_metadata_bytes", 1 << 20), Who.POD2,
                403, List.of("permission denied")));
        cases.add(new Case("publisher writing a role", "POST", "roles/web", map("allowed_cidrs", List.of("0.0.0.0/0")), Who.POD2,
                403, List.of("permission denied")));

        // -- rotation of pod-1's live publication (the window is open) --
        cases.add(rotate("rotation without continuity", nextCsr, map(), 409, "needs continuity"));
        cases.add(rotate("continuity that is not base64url", nextCsr, map("continuity", "%%% not a signature %%%"),
                400, "invalid continuity: not base64url"));
        cases.add(rotate("continuity of random bytes", nextCsr, map("continuity", base64Url(randomBytes(64))),
                400, "invalid continuity: the signature does not verify"));
        cases.add(rotate("continuity signed by the new key", nextCsr, map("continuity", next.continuityFor(next, "herald/", "web", "pod-1", 1)),
                400, "invalid continuity: the signature does not verify"));
        cases.add(rotate("continuity of 5000 characters", nextCsr, map("continuity", "A".repeat(5000)),
                400, "invalid continuity: longer than"));
        cases.add(rotate("continuity of the wrong JSON type", nextCsr, map("continuity", List.of("x")),
                400, "invalid continuity"));
        cases.add(rotate("same key, other metadata", goodCsr, map("metadata", Map.of("zone", "b")), 409, "write-once"));

        // -- config (root) --
        cases.add(config("rotation_window 1.5", map("rotation_window", 1.5), "invalid rotation_window"));
        cases.add(config("rotation_window 0", map("rotation_window", 0), "invalid rotation_window"));
        cases.add(config("rotation_window NaN", map("rotation_window", "NaN"), "invalid rotation_window"));
        cases.add(config("signing_algorithm RS256", map("signing_algorithm", "RS256"), "invalid signing_algorithm"));
        cases.add(config("max_metadata_bytes 0", map("max_metadata_bytes", 0), "invalid max_metadata_bytes"));
        cases.add(config("max_metadata_bytes 1.5", map("max_metadata_bytes", 1.5), "invalid max_metadata_bytes"));
        cases.add(config("max_metadata_bytes beyond a long", map("max_metadata_bytes", new BigInteger("99999999999999999999")),
                "invalid max_metadata_bytes"));
        cases.add(config("default_ttl longer than max_ttl", map("default_ttl", "100h"), "invalid default_ttl", "max_ttl"));
        cases.add(config("max_ttl shorter than default_ttl", map("max_ttl", "1h"), "max_ttl"));
        cases.add(config("record_ttl not a duration", map("record_ttl", "soon"), "invalid record_ttl"));
        cases.add(config("verification_ttl 0", map("verification_ttl", "0s"), "invalid verification_ttl"));
        cases.add(config("negative wrap_ttl", map("wrap_ttl", "-1s"), "invalid wrap_ttl"));
        cases.add(config("issuer of 300 characters", map("issuer", "i".repeat(300)), "invalid issuer"));
        cases.add(config("require_wrapping maybe", map("require_wrapping", "maybe"), "invalid require_wrapping"));
        cases.add(config("unknown config field", map("min_rsa_bits", 4096), "unknown field \"min_rsa_bits\""));

        // -- roles (root): changes of "web", and new roles --
        cases.add(role("allowed_cidrs /33", "web", map("allowed_cidrs", List.of("10.0.0.0/33")), "invalid allowed_cidrs"));
        cases.add(role("allowed_cidrs not a network", "web", map("allowed_cidrs", List.of("banana")), "invalid allowed_cidrs"));
        cases.add(role("allowed_ports 70000", "web", map("allowed_ports", List.of("70000")), "invalid allowed_ports"));
        cases.add(role("allowed_ports range upside down", "web", map("allowed_ports", List.of("9000-8000")), "invalid allowed_ports"));
        cases.add(role("allowed_ports 0", "web", map("allowed_ports", List.of("0")), "invalid allowed_ports"));
        cases.add(role("key_types dsa", "web", map("key_types", List.of("dsa")), "invalid key_types"));
        cases.add(role("key_types empty", "web", map("key_types", List.of()), "invalid key_types"));
        cases.add(role("min_rsa_bits 1024", "web", map("min_rsa_bits", 1024), "invalid min_rsa_bits"));
        cases.add(role("ttl longer than the mount's max_ttl", "web", map("ttl", "100h"), "invalid ttl"));
        cases.add(role("max_ttl longer than the mount's", "web", map("max_ttl", "100h"), "invalid max_ttl"));
        cases.add(role("ttl longer than the role's max_ttl", "web", map("ttl", "2h", "max_ttl", "1h"), "invalid ttl"));
        cases.add(role("negative ttl", "web", map("ttl", "-5s"), "invalid ttl"));
        cases.add(role("services with upper case", "web", map("services", List.of("Web")), "invalid services"));
        cases.add(role("services empty", "web", map("services", List.of()), "invalid services"));
        cases.add(role("instance with a space", "web", map("instance", "a b"), "invalid instance"));
        cases.add(role("bound_alias_metadata key of 129 characters", "web",
                map("bound_alias_metadata", Map.of("k".repeat(129), "*")), "invalid bound_alias_metadata"));
        cases.add(role("allowed_dns_names with upper case", "web", map("allowed_dns_names", List.of("*.EXAMPLE.com")),
                "invalid allowed_dns_names"));
        cases.add(role("lease_bound maybe", "web", map("lease_bound", "maybe"), "invalid lease_bound"));
        cases.add(role("unknown role field", "web", map("colour", "blue"), "unknown field \"colour\""));
        cases.add(role("new role with a bad CIDR", "fresh",
                map("services", List.of("web"), "instance", "*", "allowed_cidrs", List.of("10.0.0.0/8", "10.1.2.3/40")),
                "invalid allowed_cidrs"));
        cases.add(role("new role without instance", "fresh", map("services", List.of("web")), "services and instance"));
        cases.add(role("role name with upper case", "Bad_Name", map("services", List.of("web"), "instance", "*"), "invalid name"));
        cases.add(role("role name of 129 characters", "r".repeat(129), map("services", List.of("web"), "instance", "*"), "invalid name"));
        cases.add(new Case("empty role name", "POST", "roles/", map("services", List.of("web"), "instance", "*"), Who.ROOT,
                400, List.of("path ending in '/'")));

        // -- revoke, discover, history, signer, tidy (root) --
        cases.add(new Case("revoke of an unknown instance", "POST", "revoke/web/nope", map(), Who.ROOT,
                404, List.of("no live publication to revoke")));
        cases.add(new Case("revoke with an upper-case service", "POST", "revoke/WEB/pod-1", map(), Who.ROOT,
                400, List.of("invalid service")));
        cases.add(new Case("revoke with a reason of 2000 characters", "POST", "revoke/web/pod-1", map("reason", "r".repeat(2000)),
                Who.ROOT, 400, List.of("invalid reason")));
        cases.add(new Case("revoke with an unknown field", "POST", "revoke/web/pod-1", map("reason", "x", "force", true),
                Who.ROOT, 400, List.of("unknown field \"force\"")));
        cases.add(new Case("revoke with a reason of the wrong JSON type", "POST", "revoke/web/pod-1",
                map("reason", map("why", "x")), Who.ROOT, 400, List.of("invalid reason")));
        cases.add(new Case("signer rotation with an unknown field", "POST", "signer/rotate", map("algorithm", "RS256"),
                Who.ROOT, 400, List.of("unknown field \"algorithm\"")));
        cases.add(new Case("tidy with an unknown field", "POST", "tidy", map("safety_buffer", "1h"),
                Who.ROOT, 400, List.of("unknown field \"safety_buffer\"")));
        cases.add(new Case("discover of an upper-case service", "GET", "discover/WEB", null, Who.ROOT, 400, List.of("invalid service")));
        cases.add(new Case("discover of an upper-case instance", "GET", "discover/web/POD-1", null, Who.ROOT, 400, List.of("invalid instance")));
        cases.add(new Case("discover of a 129-character service", "GET", "discover/" + "s".repeat(129), null, Who.ROOT,
                400, List.of("invalid service")));
        cases.add(new Case("discover of '..'", "GET", "discover/web/%2E%2E", null, Who.ROOT,
                400, List.of("invalid instance", "relative paths")));
        cases.add(new Case("discover of an unknown service", "GET", "discover/nothing", null, Who.ROOT,
                404, List.of("service nothing has no live instance")));
        cases.add(new Case("history of an upper-case service", "GET", "history/Web", null, Who.ROOT, 400, List.of("invalid service")));
        cases.add(new Case("history of a service starting with '-'", "GET", "history/-web", null, Who.ROOT, 400, List.of("invalid service")));
        cases.add(new Case("history of an unknown service", "GET", "history/nothing", null, Who.ROOT,
                404, List.of("service nothing has no history")));
        return cases;
    }

    /** pod-2 publishes {@code web/pod-2} with the good base body changed by {@code changes}. */
    private Case publish(String what, Map<String, Object> changes, int status, String... fragments) {
        return new Case(what, "POST", "publish/web/pod-2", publishBody(changes), Who.POD2, status, List.of(fragments));
    }

    /** One of pod-3 to pod-5 publishes its own instance: the good base body changed by {@code changes}. */
    private static Case claimAs(Who who, String what, Map<String, Object> changes, int status, String... fragments) {
        String pod = podName(who);
        Map<String, Object> body = goodBody(Publisher.ed25519().csrPem(), pod);
        apply(body, changes);
        return new Case(what, "POST", "publish/web/" + pod, body, who, status, List.of(fragments));
    }

    /** "pod-3" for POD3... */
    private static String podName(Who who) {
        return "pod-" + who.name().substring(3);
    }

    /** pod-2 sends its good base body to another path. */
    private Case publishAt(String what, String path, int status, String... fragments) {
        return new Case(what, "POST", path, publishBody(map()), Who.POD2, status, List.of(fragments));
    }

    /** pod-2 publishes a bare public key under the role "raw" (require_proof=false). */
    private Case publishRaw(String what, String publicKeyPem, int status, String... fragments) {
        return publish(what, map("role", "raw", "csr", null, "public_key", publicKeyPem), status, fragments);
    }

    /** pod-1 publishes the key of {@code csr}, with its own claims, over its live publication. */
    private static Case rotate(String what, String csr, Map<String, Object> changes, int status, String... fragments) {
        Map<String, Object> body = goodBody(csr, "pod-1");
        apply(body, changes);
        return new Case(what, "POST", "publish/web/pod-1", body, Who.POD1, status, List.of(fragments));
    }

    /** A config change beside a valid one (min_overlap), which must not apply either. */
    private static Case config(String what, Map<String, Object> changes, String... fragments) {
        Map<String, Object> body = map("min_overlap", "30m");
        apply(body, changes);
        return new Case(what, "POST", "config", body, Who.ROOT, 400, List.of(fragments));
    }

    /** A role write beside a valid change (min_rsa_bits), which must not apply either. */
    private static Case role(String what, String name, Map<String, Object> changes, String... fragments) {
        Map<String, Object> body = map("min_rsa_bits", 4096);
        apply(body, changes);
        return new Case(what, "POST", "roles/" + name, body, Who.ROOT, 400, List.of(fragments));
    }

    /** pod-2's good body for its new publication, changed by {@code changes} (a null value removes a field). */
    private Map<String, Object> publishBody(Map<String, Object> changes) {
        Map<String, Object> body = goodBody(nextCsr, "pod-2");
        apply(body, changes);
        return body;
    }

    /** A valid publication of the key of {@code csr} for {@code pod}: all claims inside the role "web". */
    private static Map<String, Object> goodBody(String csr, String pod) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("role", "web");
        body.put("csr", csr);
        body.put("endpoints", List.of(pod + ".web.internal:8443", "https://" + pod + ".web.internal/"));
        body.put("ip_addresses", List.of(pod.equals("pod-1") ? "10.0.0.7" : "10.0.0.8"));
        body.put("dns_names", List.of(pod + ".web.internal"));
        body.put("metadata", Map.of("zone", "a"));
        body.put("ttl", "10m");
        return body;
    }

    // ---- observable state ----

    /**
     * What a client or operator can see of the mount: the live records (without their time-dependent
     * iat, exp and jti), the service list, the history, the config, the roles, the signing keys, and
     * that nothing was published for pod-2 or service api.
     */
    private static Map<String, Object> snapshot(DevServer server, String mount) {
        Map<String, Object> state = MountSnapshot.of(server, mount, List.of("discover/web", "discover/web/pod-1"),
                List.of("web", "raw"));
        for (String absent : List.of("discover/web/pod-2", "discover/web/pod-3", "discover/web/pod-4",
                "discover/web/pod-5", "discover/api", "history/api")) {
            state.put(absent + " status", server.http("GET", mount + "/" + absent, null).status());
        }
        return state;
    }

    // ---- key material ----

    /** Keys and requests the JDK's own Publisher cannot make, or deliberately broken ones; made once. */
    private static final class Keys {
        private static Keys instance;

        final String privateKeyPem;
        final String sha1Csr;
        final String secp256k1Csr;
        final String p521Csr;
        final String dsaCsr;
        final String rsa1024Csr;
        final String otherCertificate;
        final String x25519Pem;
        final String rsaExponent3Pem;
        final String rsa2048Pem;
        final String offCurvePem;
        final String ed25519SmallOrderPem;
        final String rsaSmallFactorPem;
        final String rsaHugePem;
        final String explicitCurvePem;
        final String compressedPointPem;
        final String ed25519ShortPem;
        final String berPem;
        final String trailingBytesPem;
        final byte[] nested;
        private final KeyPair other;

        static synchronized Keys get() {
            if (instance == null) {
                instance = new Keys();
            }
            return instance;
        }

        private Keys() {
            KeyPair ed25519 = generate("Ed25519", null, null);
            privateKeyPem = JwtIssuer.pem("PRIVATE KEY", ed25519.getPrivate().getEncoded());
            KeyPair rsa2048 = generate("RSA", new RSAKeyGenParameterSpec(2048, RSAKeyGenParameterSpec.F4), null);
            sha1Csr = csr(rsa2048, "SHA1withRSA", null);
            rsa2048Pem = JwtIssuer.pem("PUBLIC KEY", rsa2048.getPublic().getEncoded());
            secp256k1Csr = csr(generate("EC", new ECGenParameterSpec("secp256k1"), BC), "SHA256withECDSA", BC);
            p521Csr = csr(generate("EC", new ECGenParameterSpec("secp521r1"), null), "SHA512withECDSA", null);
            dsaCsr = csr(generate("DSA", null, null), "SHA256withDSA", null);
            rsa1024Csr = csr(generate("RSA", new RSAKeyGenParameterSpec(1024, RSAKeyGenParameterSpec.F4), null),
                    "SHA256withRSA", null);
            other = generate("Ed25519", null, null);
            otherCertificate = certificate(other.getPublic(), other.getPrivate(), "Ed25519");
            x25519Pem = JwtIssuer.pem("PUBLIC KEY", generate("X25519", null, null).getPublic().getEncoded());
            rsaExponent3Pem = JwtIssuer.pem("PUBLIC KEY", generate("RSA",
                    new RSAKeyGenParameterSpec(2048, BigInteger.valueOf(3)), null).getPublic().getEncoded());
            byte[] p256 = generate("EC", new ECGenParameterSpec("secp256r1"), null).getPublic().getEncoded();
            offCurvePem = JwtIssuer.pem("PUBLIC KEY", flipByte(p256, p256.length - 1)); // y changed
            // RFC 8410 SPKI of the Ed25519 identity point (0, 1): a small-order point
            byte[] identity = HexFormat.of().parseHex("302a300506032b6570032100" + "01" + "00".repeat(31));
            ed25519SmallOrderPem = JwtIssuer.pem("PUBLIC KEY", identity);

            BigInteger smallFactor = BigInteger.valueOf(3).multiply(BigInteger.probablePrime(2046, RANDOM));
            rsaSmallFactorPem = JwtIssuer.pem("PUBLIC KEY", rsaSpki(smallFactor));
            BigInteger huge = new BigInteger(16400, RANDOM).setBit(16399).setBit(0);
            rsaHugePem = JwtIssuer.pem("PUBLIC KEY", rsaSpki(huge));
            X9ECParameters p256Curve = ECNamedCurveTable.getByName("P-256");
            byte[] point = Arrays.copyOfRange(p256, p256.length - 65, p256.length); // 04 || x || y
            explicitCurvePem = JwtIssuer.pem("PUBLIC KEY", encoded(new SubjectPublicKeyInfo(
                    new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey, new X962Parameters(p256Curve)), point)));
            compressedPointPem = JwtIssuer.pem("PUBLIC KEY", encoded(new SubjectPublicKeyInfo(
                    new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey, SECObjectIdentifiers.secp256r1),
                    p256Curve.getCurve().decodePoint(point).getEncoded(true))));
            ed25519ShortPem = JwtIssuer.pem("PUBLIC KEY", HexFormat.of().parseHex("3029300506032b6570032000" + "11".repeat(31)));
            byte[] ed25519Spki = ed25519.getPublic().getEncoded(); // 30 2a ...
            byte[] ber = new byte[ed25519Spki.length + 1];
            ber[0] = 0x30;
            ber[1] = (byte) 0x81; // the same length in long form: BER, not DER
            System.arraycopy(ed25519Spki, 1, ber, 2, ed25519Spki.length - 1);
            berPem = JwtIssuer.pem("PUBLIC KEY", ber);
            trailingBytesPem = JwtIssuer.pem("PUBLIC KEY", Arrays.copyOf(ed25519Spki, ed25519Spki.length + 2));
            nested = new byte[32_000]; // 30 80 30 80 ...: 16,000 nested indefinite-length sequences
            for (int i = 0; i < nested.length; i += 2) {
                nested[i] = 0x30;
                nested[i + 1] = (byte) 0x80;
            }
        }

        private static byte[] rsaSpki(BigInteger modulus) {
            try {
                return encoded(new SubjectPublicKeyInfo(new AlgorithmIdentifier(PKCSObjectIdentifiers.rsaEncryption,
                        DERNull.INSTANCE), new org.bouncycastle.asn1.pkcs.RSAPublicKey(modulus, RSAKeyGenParameterSpec.F4)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private static byte[] encoded(ASN1Object value) {
            try {
                return value.getEncoded(ASN1Encoding.DER);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** A certificate whose subject key is {@code subject}'s, signed by another key. */
        String certificateSignedByAnother(Publisher subject) {
            return certificate(subject.publicKey(), other.getPrivate(), "Ed25519");
        }

        private static KeyPair generate(String algorithm, AlgorithmParameterSpec spec, Provider provider) {
            try {
                KeyPairGenerator generator = provider == null ? KeyPairGenerator.getInstance(algorithm)
                        : KeyPairGenerator.getInstance(algorithm, provider);
                if (spec != null) {
                    generator.initialize(spec);
                } else if (algorithm.equals("DSA")) {
                    generator.initialize(2048);
                }
                return generator.generateKeyPair();
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("cannot generate a " + algorithm + " key", e);
            }
        }

        private static ContentSigner signer(String algorithm, PrivateKey key, Provider provider) {
            try {
                JcaContentSignerBuilder builder = new JcaContentSignerBuilder(algorithm);
                if (provider != null) {
                    builder.setProvider(provider);
                }
                return builder.build(key);
            } catch (OperatorCreationException e) {
                throw new IllegalStateException("cannot sign with " + algorithm, e);
            }
        }

        private static String csr(KeyPair keyPair, String algorithm, Provider provider) {
            try {
                byte[] der = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=bad-input"), keyPair.getPublic())
                        .build(signer(algorithm, keyPair.getPrivate(), provider)).getEncoded();
                return JwtIssuer.pem("CERTIFICATE REQUEST", der);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private static String certificate(PublicKey subjectKey, PrivateKey signingKey, String algorithm) {
            Instant now = Instant.now();
            X500Name name = new X500Name("CN=bad-input");
            try {
                byte[] der = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(RANDOM.nextLong(1, Long.MAX_VALUE)),
                        Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(1))), name, subjectKey)
                        .build(signer(algorithm, signingKey, null)).getEncoded();
                return JwtIssuer.pem("CERTIFICATE", der);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    // ---- small helpers ----

    private static JwtIssuer.Login pod(JwtIssuer issuer, String uid) {
        return issuer.login("pods", "system:serviceaccount:prod:" + uid, Map.of("pod_uid", uid));
    }

    /** An insertion-ordered map of key, value, key, value...; values may be null (meaning "remove"). */
    private static Map<String, Object> map(Object... keyValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            map.put((String) keyValues[i], keyValues[i + 1]);
        }
        return map;
    }

    private static void apply(Map<String, Object> body, Map<String, Object> changes) {
        changes.forEach((key, value) -> {
            if (value == null) {
                body.remove(key);
            } else {
                body.put(key, value);
            }
        });
    }

    private static String pemText(String label, String body) {
        return "-----BEGIN " + label + "-----\n" + body + "\n-----END " + label + "-----\n";
    }

    /** The DER inside a PEM block. */
    private static byte[] der(String pem) {
        return Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
    }

    private static byte[] flipByte(byte[] bytes, int index) {
        byte[] copy = bytes.clone();
        copy[index] ^= 0x01;
        return copy;
    }

    private static byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    private static String base64Url(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static void sleepUntil(Instant instant) {
        Duration wait = Duration.between(Instant.now(), instant);
        if (!wait.isNegative()) {
            try {
                Thread.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }
}
