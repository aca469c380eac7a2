package dev.herald.client.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.Ed25519Verifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import dev.herald.client.VerificationException;
import dev.herald.sdk.json.Json;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Vectors made by the engine's own code (SigningKey.generate and countersignedBy, Jws.sign,
 * Publication.toRecordClaims; a one-off program compiled against plugin/engine's sources): a first
 * EdDSA key, rotated to ES256, rotated to EdDSA again; records of three instances (Ed25519, P-384,
 * and RSA published without the NULL algorithm parameters, so that its fingerprint is not the
 * JDK's encoding). They prove that this client reads exactly what the engine writes.
 */
class EngineVectorsTest {
    /** The {@code jwks} of the mount before any rotation: the first key only. */
    static final String JWKS_FIRST = "{\"keys\":[{\"crv\":\"Ed25519\",\"kty\":\"OKP\",\"x\":\"x-A7f-eqXjZz7Vex1-n4HgAYicTCZO2fp_qvu"
            + "3zDLgo\",\"kid\":\"DJjkKxyzyBXc5b9UUPSeuzGsCaMy0-2hzxyzwbD1uFk\",\"alg\":\"EdDSA\",\"use\":"
            + "\"sig\"}]}";

    /** The {@code signer} path's {@code keys} after two rotations: each later key countersigned by the one before. */
    static final String SIGNER_KEYS = "[{\"kid\":\"DJjkKxyzyBXc5b9UUPSeuzGsCaMy0-2hzxyzwbD1uFk\",\"algorithm\":\"EdDSA\",\"publi"
            + "c_key\":\"-----BEGIN PUBLIC KEY-----\\nMCowBQYDK2VwAyEAx+A7f+eqXjZz7Vex1+n4HgAYicTC"
            + "ZO2fp/qvu3zDLgo=\\n-----END PUBLIC KEY-----\\n\",\"created_at\":\"2026-03-01T00:00:00Z"
            + "\",\"retired_at\":\"2026-03-01T01:00:00Z\"},{\"kid\":\"y56czWVctUiOD8DNENFUfJCAE7xOpafdk"
            + "u0mfdecnSw\",\"algorithm\":\"ES256\",\"public_key\":\"-----BEGIN PUBLIC KEY-----\\nMFkwEw"
            + "YHKoZIzj0CAQYIKoZIzj0DAQcDQgAEGIi1IoKUwv3uSpI03UIcu1uU4Ik6\\nrGQaAY+DqaKFG4pZ8AbN"
            + "3mA0sv/yUzVBf4pCx0gKPfraN48wBCiiBlrzdA==\\n-----END PUBLIC KEY-----\\n\",\"created_a"
            + "t\":\"2026-03-01T01:00:00Z\",\"retired_at\":\"2026-03-01T02:00:00Z\",\"countersignature\""
            + ":\"eyJhbGciOiJFZERTQSIsImtpZCI6IkRKamtLeHl6eUJYYzViOVVVUFNldXpHc0NhTXkwLTJoenh5en"
            + "diRDF1RmsiLCJ0eXAiOiJoZXJhbGQtc2lnbmVyLXJvdGF0aW9uK2p3dCJ9.eyJzdWIiOiJoZXJhbGQtc"
            + "2lnbmVyIiwiaWF0IjoxNzcyMzI2ODAwLCJwcmV2X2tpZCI6IkRKamtLeHl6eUJYYzViOVVVUFNldXpHc"
            + "0NhTXkwLTJoenh5endiRDF1RmsiLCJqd2siOnsiY3J2IjoiUC0yNTYiLCJrdHkiOiJFQyIsIngiOiJHS"
            + "WkxSW9LVXd2M3VTcEkwM1VJY3UxdVU0SWs2ckdRYUFZLURxYUtGRzRvIiwieSI6IldmQUd6ZDVnTkxMX"
            + "zhsTTFRWC1LUXNkSUNqMzYyamVQTUFRb29nWmE4M1EiLCJraWQiOiJ5NTZjeldWY3RVaU9EOERORU5GV"
            + "WZKQ0FFN3hPcGFmZGt1MG1mZGVjblN3IiwiYWxnIjoiRVMyNTYiLCJ1c2UiOiJzaWcifX0.nP4hIpBYj"
            + "rQh6edKXe_NJN5FaDtIuxZ9j0YevuPv-MBVqRUkDt-nc4V5cXeoY6TnkLcK2EghRIFZ5teqx54qDQ\"},"
            + "{\"kid\":\"P88oUcFBfduxoXJ5NWCngLxyH1-nB9_jc1xWi4KO6U0\",\"algorithm\":\"EdDSA\",\"public"
            + "_key\":\"-----BEGIN PUBLIC KEY-----\\nMCowBQYDK2VwAyEA7G9+YYTJ/2JggLIhDumkAmbVVhVSM"
            + "qN8RwFf0SAtHns=\\n-----END PUBLIC KEY-----\\n\",\"created_at\":\"2026-03-01T02:00:00Z\""
            + ",\"countersignature\":\"eyJhbGciOiJFUzI1NiIsImtpZCI6Ink1NmN6V1ZjdFVpT0Q4RE5FTkZVZkp"
            + "DQUU3eE9wYWZka3UwbWZkZWNuU3ciLCJ0eXAiOiJoZXJhbGQtc2lnbmVyLXJvdGF0aW9uK2p3dCJ9.ey"
            + "JzdWIiOiJoZXJhbGQtc2lnbmVyIiwiaWF0IjoxNzcyMzMwNDAwLCJwcmV2X2tpZCI6Ink1NmN6V1ZjdF"
            + "VpT0Q4RE5FTkZVZkpDQUU3eE9wYWZka3UwbWZkZWNuU3ciLCJqd2siOnsiY3J2IjoiRWQyNTUxOSIsIm"
            + "t0eSI6Ik9LUCIsIngiOiI3RzktWVlUSl8ySmdnTEloRHVta0FtYlZWaFZTTXFOOFJ3RmYwU0F0SG5zIi"
            + "wia2lkIjoiUDg4b1VjRkJmZHV4b1hKNU5XQ25nTHh5SDEtbkI5X2pjMXhXaTRLTzZVMCIsImFsZyI6Ik"
            + "VkRFNBIiwidXNlIjoic2lnIn19.8m6P9IQ5mgcJHbpHZdbVPfjjsUPt7hlv1MwkryNZCli_0pN3LMI9V"
            + "ARO0BXS5BiX4epzvvnonMFevCdvAbA3wg\"}]";

    /**
     * The base64url of the three instances both service records list (web-1 Ed25519, web-2 P-384,
     * web-3 RSA) and the end of their payload: the same characters at the same place in both, as
     * their headers and their seq (42 and 41) are of the same length.
     */
    private static final String SERVICE_INSTANCES =
            "id2ViLTEiLCJnZW5lcmF0aW9uIjoxLCJqd2siOnsiY3J2IjoiRWQyNTUxOSIsImt0eSI6Ik9LUCIsIng"
            + "iOiJRU0tHcXRxZkEtRWhjMFozQW05eHc0eEx2UUJKMWtrRVZUbHdGSXRta09NIiwia2lkIjoieFVncEl"
            + "vX1MzV0hSa2NNaDhrZ2R5Z3BwR3JSZkJuRHdtWjVyNEJJV3pnSSJ9LCJmaW5nZXJwcmludCI6InNoYTI"
            + "1NjoyMjljMjZhMjI4N2MxNzgxMjk5ZjRmZjQ2MmUwMDQ5NTU4OWY3ZGU1Y2UwNDQ0ODg0Y2E2MzY1ZGU"
            + "3YTA2MTVhIiwiZW5kcG9pbnRzIjpbIndlYi0xLnBheW1lbnRzLnN2Yzo4NDQzIl0sImlwX2FkZHJlc3N"
            + "lcyI6WyIxMC4wLjAuMSJdLCJkbnNfbmFtZXMiOlsid2ViLTEucGF5bWVudHMuc3ZjIl0sIm1ldGFkYXR"
            + "hIjp7InpvbmUiOiJhIn0sIm5vdF9iZWZvcmUiOjE3NzIzMzA0MDAsIm5vdF9hZnRlciI6MTc3MjQxNjk"
            + "wMCwicHVibGlzaGVyIjp7ImVudGl0eV9pZCI6ImVudGl0eS0xIiwibW91bnRfYWNjZXNzb3IiOiJhdXR"
            + "oX2p3dF8xIiwiYWxpYXNfbmFtZSI6InBvZC1hIiwiYWxpYXNfbWV0YWRhdGEiOnsidGVhbSI6InBheSJ"
            + "9fX0seyJpbnN0YW5jZSI6IndlYi0yIiwiZ2VuZXJhdGlvbiI6MywiandrIjp7ImNydiI6IlAtMzg0Iiw"
            + "ia3R5IjoiRUMiLCJ4IjoiVWhINzUxdWpUYnlRTkNZU0ZQRjQtcDlqZ2FWV19VRGJ4OFktXzZKLXc4TGx"
            + "fU2RPVDhyU3RVUDdvT1VQOGx3NCIsInkiOiJkaEpGR2lMQkdnNXJsTWx0VHFkRGh2V1M1Q2RKc21PSVh"
            + "CU1JxczVRbmtBRXN4S2NBblAwcHFYOWRMSTJ2cHVYIiwia2lkIjoicXhOeEpScWtCT1U2S2I4RmJyRGl"
            + "2aDdDaG9QYy0wUmNFS3lVR1oyR0dvQSJ9LCJmaW5nZXJwcmludCI6InNoYTI1Njo5ZDRjZmRiY2VjMjQ"
            + "3ZDA0Y2IyYzZlMTAxMDQwZWMwOTZiMjY2YzcyNmIyZTFjZGFiOWViMWRlODA3NGUxZGZjIiwiZW5kcG9"
            + "pbnRzIjpbIndlYi0yLnBheW1lbnRzLnN2Yzo4NDQzIl0sImlwX2FkZHJlc3NlcyI6WyIxMC4wLjAuMyJ"
            + "dLCJkbnNfbmFtZXMiOlsid2ViLTIucGF5bWVudHMuc3ZjIl0sIm1ldGFkYXRhIjp7InpvbmUiOiJhIn0"
            + "sIm5vdF9iZWZvcmUiOjE3NzIzMzA0MDAsIm5vdF9hZnRlciI6MTc3MjQxNjkwMCwicHVibGlzaGVyIjp"
            + "7ImVudGl0eV9pZCI6ImVudGl0eS0xIiwibW91bnRfYWNjZXNzb3IiOiJhdXRoX2p3dF8xIiwiYWxpYXN"
            + "fbmFtZSI6InBvZC1hIiwiYWxpYXNfbWV0YWRhdGEiOnsidGVhbSI6InBheSJ9fX0seyJpbnN0YW5jZSI"
            + "6IndlYi0zIiwiZ2VuZXJhdGlvbiI6MSwiandrIjp7ImUiOiJBUUFCIiwia3R5IjoiUlNBIiwibiI6IjV"
            + "LdlIyaGJzRnFhNi0tTDBRbnVWWWF6SFVrTU1DbnNCbjcxM0MyYTMwcnpsVUxGaXZsaG5oUW5JZ2xOSFl"
            + "iRmExWjdDQjNKVUxhbWpDUG50SExOY1hKcEJja3Vsd2IxRXNwUkJyMjJNaW5HTDg2amNkSHRWelVDTjJ"
            + "TSEthYmozemdHcjlTYVhUcEJtU2g1MklObXZBYnYzSmpXc0NDcTZyRjl2b0JjaWdTeEVDMmRnUXp2aWc"
            + "wZlkyTUNmd1l3aGtHREh5Zy1oMjVUY0llbG81WjBuOGkteGUwajVENno3YXA5NUxyLUo1Umg2NFVNWWR"
            + "rNG1oRkxDWkp6QXZkbWxWYndVRkNZZENDcGx1TnA2U3FuQ0tqbjk4ay1RZUUwN0tnS0ZlM2xrcmdXeHZ"
            + "zd3dfTGNzNEMyMjA3aW16ZzUxblNrSUpFX3dDdkVZVFI1X3dDZ3lRdyIsImtpZCI6IjNQbmZlU2wxaHR"
            + "pd3lycWsxN0w3bGJtTEpqQlhtZ0ozaHp6Ri1SRnZtZzAifSwiZmluZ2VycHJpbnQiOiJzaGEyNTY6NzN"
            + "iNGY1OTg3ZTAxNjhmYjJjMTFiNDVjZTI2MDRkZTI1ZGU3NDljYzhlYmU3Yjc2ZTk3ZjFkMjBlOGFjNWI"
            + "3YSIsImVuZHBvaW50cyI6WyJ3ZWItMy5wYXltZW50cy5zdmM6ODQ0MyJdLCJpcF9hZGRyZXNzZXMiOls"
            + "iMTAuMC4wLjEiXSwiZG5zX25hbWVzIjpbIndlYi0zLnBheW1lbnRzLnN2YyJdLCJtZXRhZGF0YSI6eyJ"
            + "6b25lIjoiYSJ9LCJub3RfYmVmb3JlIjoxNzcyMzMwNDAwLCJub3RfYWZ0ZXIiOjE3NzI0MTY5MDAsInB"
            + "1Ymxpc2hlciI6eyJlbnRpdHlfaWQiOiJlbnRpdHktMSIsIm1vdW50X2FjY2Vzc29yIjoiYXV0aF9qd3R"
            + "fMSIsImFsaWFzX25hbWUiOiJwb2QtYSIsImFsaWFzX21ldGFkYXRhIjp7InRlYW0iOiJwYXkifX19XX0";

    /** A service record (seq 42) signed by the third key. */
    static final String RECORD_SERVICE = "eyJhbGciOiJFZERTQSIsImtpZCI6IlA4OG9VY0ZCZmR1eG9YSjVOV0NuZ0x4eUgxLW5COV9qYzF4V2k0"
            + "S082VTAiLCJ0eXAiOiJoZXJhbGQtcmVjb3JkK2p3dCJ9.eyJpc3MiOiJoZXJhbGQvIiwic3ViIjoicGF"
            + "5bWVudHMiLCJpYXQiOjE3NzIzMzA1MDAsImV4cCI6MTc3MjMzMDgwMCwianRpIjoidmVjdG9yLXNlcnZ"
            + "pY2UtNDIiLCJzY29wZSI6InNlcnZpY2UiLCJzZXEiOjQyLCJpbnN0YW5jZXMiOlt7Imluc3RhbmNlIjo"
            + SERVICE_INSTANCES
            + ".B0ZRDDUaLOsI5V6-nQOUSTDvHUGu443dSDpR-GIjyTcazALuIHMPlu4rDZXrgBZpsQ7GZR6u5aNnWVn"
            + "FuVXRDw";

    /** An instance record of web-2 signed by the third key. */
    static final String RECORD_INSTANCE = "eyJhbGciOiJFZERTQSIsImtpZCI6IlA4OG9VY0ZCZmR1eG9YSjVOV0NuZ0x4eUgxLW5COV9qYzF4V2k0"
            + "S082VTAiLCJ0eXAiOiJoZXJhbGQtcmVjb3JkK2p3dCJ9.eyJpc3MiOiJoZXJhbGQvIiwic3ViIjoicGF"
            + "5bWVudHMiLCJpYXQiOjE3NzIzMzA1MDAsImV4cCI6MTc3MjMzMDgwMCwianRpIjoidmVjdG9yLWluc3R"
            + "hbmNlLTQyIiwic2NvcGUiOiJpbnN0YW5jZSIsInNlcSI6NDIsImluc3RhbmNlcyI6W3siaW5zdGFuY2U"
            + "iOiJ3ZWItMiIsImdlbmVyYXRpb24iOjMsImp3ayI6eyJjcnYiOiJQLTM4NCIsImt0eSI6IkVDIiwieCI"
            + "6IlVoSDc1MXVqVGJ5UU5DWVNGUEY0LXA5amdhVldfVURieDhZLV82Si13OExsX1NkT1Q4clN0VVA3b09"
            + "VUDhsdzQiLCJ5IjoiZGhKRkdpTEJHZzVybE1sdFRxZERodldTNUNkSnNtT0lYQlNScXM1UW5rQUVzeEt"
            + "jQW5QMHBxWDlkTEkydnB1WCIsImtpZCI6InF4TnhKUnFrQk9VNktiOEZickRpdmg3Q2hvUGMtMFJjRUt"
            + "5VUdaMkdHb0EifSwiZmluZ2VycHJpbnQiOiJzaGEyNTY6OWQ0Y2ZkYmNlYzI0N2QwNGNiMmM2ZTEwMTA"
            + "0MGVjMDk2YjI2NmM3MjZiMmUxY2RhYjllYjFkZTgwNzRlMWRmYyIsImVuZHBvaW50cyI6WyJ3ZWItMi5"
            + "wYXltZW50cy5zdmM6ODQ0MyJdLCJpcF9hZGRyZXNzZXMiOlsiMTAuMC4wLjMiXSwiZG5zX25hbWVzIjp"
            + "bIndlYi0yLnBheW1lbnRzLnN2YyJdLCJtZXRhZGF0YSI6eyJ6b25lIjoiYSJ9LCJub3RfYmVmb3JlIjo"
            + "xNzcyMzMwNDAwLCJub3RfYWZ0ZXIiOjE3NzI0MTY5MDAsInB1Ymxpc2hlciI6eyJlbnRpdHlfaWQiOiJ"
            + "lbnRpdHktMSIsIm1vdW50X2FjY2Vzc29yIjoiYXV0aF9qd3RfMSIsImFsaWFzX25hbWUiOiJwb2QtYSI"
            + "sImFsaWFzX21ldGFkYXRhIjp7InRlYW0iOiJwYXkifX19XX0.xD_N9XMxDMvQvOPyuLFX5UW18kO2kTo"
            + "wPtoE1_NNR9Kkn5Y_S0tyTefrhj_zHULGRp7nXIm2jUvL22TMYL8eDQ";

    /** A service record (seq 41) signed by the second (ES256, retired) key. */
    static final String RECORD_BY_K2 = "eyJhbGciOiJFUzI1NiIsImtpZCI6Ink1NmN6V1ZjdFVpT0Q4RE5FTkZVZkpDQUU3eE9wYWZka3UwbWZk"
            + "ZWNuU3ciLCJ0eXAiOiJoZXJhbGQtcmVjb3JkK2p3dCJ9.eyJpc3MiOiJoZXJhbGQvIiwic3ViIjoicGF"
            + "5bWVudHMiLCJpYXQiOjE3NzIzMzA1MDAsImV4cCI6MTc3MjMzMDgwMCwianRpIjoidmVjdG9yLXNlcnZ"
            + "pY2UtNDEiLCJzY29wZSI6InNlcnZpY2UiLCJzZXEiOjQxLCJpbnN0YW5jZXMiOlt7Imluc3RhbmNlIjo"
            + SERVICE_INSTANCES
            + ".B1VWQK_EralRsHDObsB5qiTdhiarvHMA6bFqAdQ5NYWdIxhCGTpJcyJDOxKOlkv6p3GnrNmnKcdB1wu"
            + "MAsXk9g";

    /** When the records were signed (iat; exp is 300 s later). */
    static final long NOW = 1772330500L;

    private static final Clock CLOCK = Clock.fixed(Instant.ofEpochSecond(NOW + 5), ZoneOffset.UTC);

    @SuppressWarnings("unchecked")
    private static SignerKeys followed() {
        SignerKeys first = SignerKeys.parseJwks(JWKS_FIRST);
        return first.follow((List<Object>) Json.parse(SIGNER_KEYS));
    }

    private static RecordVerifier.Builder verifier() {
        return RecordVerifier.builder().issuer("herald/").service("payments").clock(CLOCK);
    }

    @Test
    void followsTheEnginesRotationsFromTheFirstJwks() {
        SignerKeys keys = followed();
        assertEquals(3, keys.kids().size());
        assertEquals(List.of("EdDSA", "ES256", "EdDSA"),
                keys.kids().stream().map(kid -> keys.key(kid).orElseThrow().algorithm().orElseThrow()).toList());
    }

    @Test
    void verifiesTheEnginesRecordsOnlyOnceTheChainIsFollowed() {
        SignerKeys first = SignerKeys.parseJwks(JWKS_FIRST);
        assertThrows(VerificationException.class, () -> verifier().build().verify(RECORD_SERVICE, first));

        DiscoveryRecord record = verifier().build().verify(RECORD_SERVICE, followed());
        assertEquals(42, record.seq());
        assertEquals(List.of("web-1", "web-2", "web-3"), record.instances().stream().map(Instance::name).toList());
        assertEquals(List.of("Ed25519", "P-384", "RSA"),
                record.publicKeys().stream().map(Jwk::kind).toList());
        assertTrue(record.instances().get(2).publicKey() instanceof RSAPublicKey);
        assertEquals(List.of("web-2.payments.svc:8443"), record.instances().get(1).endpoints());

        DiscoveryRecord instance = verifier().instance("web-2").build().verify(RECORD_INSTANCE, followed());
        assertEquals(record.instances().get(1).fingerprint(), instance.instances().getFirst().fingerprint());

        DiscoveryRecord byRetiredKey = verifier().build().verify(RECORD_BY_K2, followed());
        assertEquals("ES256", CompactJws.parse(byRetiredKey.compact()).algorithm());
    }

    @Test
    void nimbusVerifiesTheEnginesRecordWithTheKeysThisClientPinned() throws Exception {
        // "any JOSE library must be able to verify a record with the jwks output" (DESIGN §5.4)
        JWKSet set = JWKSet.parse(Json.write(followed().toJwks()));
        for (String record : List.of(RECORD_SERVICE, RECORD_BY_K2)) {
            JWSObject jws = JWSObject.parse(record);
            JWK key = set.getKeyByKeyId(jws.getHeader().getKeyID());
            assertTrue(jws.verify(key instanceof OctetKeyPair okp ? new Ed25519Verifier(okp)
                    : new ECDSAVerifier((ECKey) key)), record.substring(0, 16));
        }
    }

    @Test
    void theEnginesSignerKidsAreTheThumbprintsThisClientComputes() {
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> entries = (List<Map<String, Object>>) Json.parse(SIGNER_KEYS);
        SignerKeys keys = followed();
        for (Map<String, Object> entry : entries) {
            Jwk jwk = keys.key((String) entry.get("kid")).orElseThrow();
            assertEquals(entry.get("kid"), Jwk.thumbprint(jwk.publicKey()));
        }
    }
}
