package dev.herald.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The scan itself: it finds a key in every encoding a leak could take, and not the public key. */
class SigningKeyLeaksTest {

    @Test
    void findsEveryEncodingOfEitherKindOfKeyAndNothingInPublicKeys(@TempDir Path dir) throws Exception {
        KeyPair ed25519 = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
        ec.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair p256 = ec.generateKeyPair();
        for (KeyPair pair : List.of(ed25519, p256)) {
            byte[] pkcs8 = pair.getPrivate().getEncoded();
            byte[] secret = SigningKeyLeaks.secret(pkcs8);
            Base64.Encoder base64 = Base64.getEncoder();
            Base64.Encoder base64url = Base64.getUrlEncoder().withoutPadding();
            String stored = "{\"kid\":\"k\",\"private_key_pkcs8\":\"" + base64.encodeToString(pkcs8) + "\"}";

            Map<String, String> leaks = new LinkedHashMap<>();
            leaks.put("PEM", "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'})
                    .encodeToString(pkcs8) + "\n-----END PRIVATE KEY-----\n");
            leaks.put("PEM in a JSON log line", "{\"@message\":\"key -----BEGIN PRIVATE KEY-----\\n"
                    + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(pkcs8).replace("\n", "\\n") + "\"}");
            leaks.put("DER bytes", new String(pkcs8, StandardCharsets.ISO_8859_1));
            leaks.put("base64 DER", "key=" + base64.encodeToString(pkcs8));
            leaks.put("base64url DER", "key=" + base64url.encodeToString(pkcs8));
            leaks.put("hex DER", HexFormat.of().formatHex(pkcs8));
            leaks.put("JWK d", "{\"kty\":\"OKP\",\"d\":\"" + base64url.encodeToString(secret) + "\"}");
            leaks.put("the storage entry, base64 again", "value: " + base64.encodeToString(stored.getBytes(StandardCharsets.UTF_8)));
            leaks.put("the storage entry after one byte, base64url", base64url.encodeToString(("x" + stored).getBytes(StandardCharsets.UTF_8)));
            leaks.put("the storage entry after two bytes, base64", base64.encodeToString(("xy" + stored).getBytes(StandardCharsets.UTF_8)));
            leaks.put("decimal scalar", "s=" + new java.math.BigInteger(1, secret));

            List<Path> files = new ArrayList<>();
            for (Map.Entry<String, String> leak : leaks.entrySet()) {
                Path file = dir.resolve(pair.getPrivate().getAlgorithm() + "-" + files.size() + ".log");
                Files.write(file, ("before\n" + leak.getValue() + "\nafter\n").getBytes(StandardCharsets.ISO_8859_1));
                files.add(file);
            }
            SigningKeyLeaks scan = scanFor(pkcs8);
            for (int i = 0; i < files.size(); i++) {
                String form = List.copyOf(leaks.keySet()).get(i);
                assertFalse(scan.findIn(List.of(files.get(i))).isEmpty(), () -> "not found: " + form);
            }

            Path clean = dir.resolve(pair.getPrivate().getAlgorithm() + "-public.log");
            StringBuilder text = new StringBuilder("spki " + base64.encodeToString(pair.getPublic().getEncoded())
                    + " url " + base64url.encodeToString(pair.getPublic().getEncoded()));
            if (pair.getPublic() instanceof ECPublicKey point) {
                text.append(" x ").append(base64url.encodeToString(point.getW().getAffineX().toByteArray()));
            }
            Files.writeString(clean, text);
            assertEquals(List.of(), scan.findIn(List.of(clean)));
        }
    }

    /** A scan that knows one key (as {@link SigningKeyLeaks#collect} would, from a stored entry). */
    private static SigningKeyLeaks scanFor(byte[] pkcs8) {
        SigningKeyLeaks scan = new SigningKeyLeaks();
        String entry = Json.write(Map.of("keys", List.of(Map.of("kid", "k",
                "private_key_pkcs8", Base64.getEncoder().encodeToString(pkcs8)))));
        scan.collect(new ServerHttp() {
            @Override
            public String rootToken() {
                return "t";
            }

            @Override
            public HttpResult http(String method, String path, Object body, String token) {
                return path.equals("sys/mounts")
                        ? new HttpResult(method, path, 200, Json.write(Map.of("data", Map.of("m/", Map.of("uuid", "u")))))
                        : new HttpResult(method, path, 200, Json.write(Map.of("data", Map.of("value", entry))));
            }
        });
        assertEquals(1, scan.size());
        return scan;
    }
}
