package dev.herald.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The private signing keys of a server's Herald mounts, and a scan of files (server logs, which
 * carry the plugin's stderr, and every answer and command output the harness recorded) for any of
 * them in any encoding.
 *
 * <p>The keys are read from the plugin's storage through {@code sys/raw} (the harness's servers
 * have {@code raw_storage_endpoint} on), before mounts are disabled and before the server stops.
 * The scan looks for each key's secret, the Ed25519 seed or the EC private scalar, as raw bytes, in
 * hex and in decimal, and in base64 and base64url at each of the three alignments it can have inside
 * a longer encoded text, and each of those texts (and the hex) encoded once more the same way. That
 * covers the PKCS#8 DER (which holds the secret as it is) in base64, base64url and PEM, a JWK's
 * {@code d}, and a storage entry (JSON with the base64 PKCS#8) encoded again, as Go writes a byte
 * slice into JSON; PEM and JSON line breaks are removed from a second view of each file.
 */
final class SigningKeyLeaks {

    /** What a leak scan found: where, and which form of which key. */
    record Finding(Path file, String form, String key) {
        @Override
        public String toString() {
            return file + ": the " + form + " of signing key " + key;
        }
    }

    /** Key (the public kid, or a description) to the base64 PKCS#8 of the private key. */
    private final Map<String, String> keys = new LinkedHashMap<>();

    /** Reads the signing keys of every Herald mount of {@code server} (a mount without a signer/keys entry is skipped). */
    synchronized void collect(ServerHttp server) {
        HttpResult mounts = server.http("GET", "sys/mounts", null);
        if (mounts.status() != 200) {
            return; // sealed or stopping: nothing to read
        }
        mounts.data().forEach((path, mount) -> {
            Object uuid = Json.at(mount, "uuid");
            if (uuid == null) {
                return;
            }
            HttpResult entry = server.http("GET", "sys/raw/logical/" + uuid + "/signer/keys", null);
            if (entry.status() != 200) {
                return;
            }
            Object stored = Json.parse((String) entry.data().get("value"));
            for (Object key : (List<?>) Json.at(stored, "keys")) {
                keys.put(path + " " + Json.at(key, "kid"), (String) Json.at(key, "private_key_pkcs8"));
            }
        });
    }

    /** How many keys were collected. */
    synchronized int size() {
        return keys.size();
    }

    /** Every place in {@code files} (missing ones skipped) where a collected key appears. */
    synchronized List<Finding> findIn(Collection<Path> files) {
        List<Finding> found = new ArrayList<>();
        for (Path file : files) {
            String text = read(file);
            String joined = text.replaceAll("\\\\[rn]|\\s", "");
            keys.forEach((key, pkcs8) -> forms(Base64.getDecoder().decode(pkcs8)).forEach((form, needle) -> {
                if (text.contains(needle) || joined.contains(needle)) {
                    found.add(new Finding(file, form, key));
                }
            }));
        }
        return found;
    }

    /** The forms of the key's secret the scan looks for, by name. */
    static Map<String, String> forms(byte[] pkcs8) {
        byte[] secret = secret(pkcs8);
        Map<String, String> forms = new LinkedHashMap<>();
        forms.put("raw secret bytes", new String(secret, StandardCharsets.ISO_8859_1));
        forms.put("hex secret", HexFormat.of().formatHex(secret));
        forms.put("HEX secret", HexFormat.of().withUpperCase().formatHex(secret));
        forms.put("decimal secret", new BigInteger(1, secret).toString());
        Map<String, String> encoded = base64Forms("secret", secret);
        forms.putAll(encoded);
        // Encoded twice: a Go component logging a storage entry ([]byte, so base64 in JSON) that holds
        // the base64 PKCS#8, or the hex of it.
        for (Map.Entry<String, String> text : List.copyOf(encoded.entrySet())) {
            forms.putAll(base64Forms(text.getKey(), text.getValue().getBytes(StandardCharsets.US_ASCII)));
        }
        forms.putAll(base64Forms("hex secret", forms.get("hex secret").getBytes(StandardCharsets.US_ASCII)));
        return forms;
    }

    /** {@code bytes} in base64 and base64url at each of the three alignments, by name. */
    private static Map<String, String> base64Forms(String what, byte[] bytes) {
        Map<String, String> forms = new LinkedHashMap<>();
        for (int shift = 0; shift < 3; shift++) {
            forms.put("base64 of the " + what + " (alignment " + shift + ")", aligned(Base64.getEncoder(), bytes, shift));
            forms.put("base64url of the " + what + " (alignment " + shift + ")", aligned(Base64.getUrlEncoder(), bytes, shift));
        }
        return forms;
    }

    /**
     * The characters of {@code encoder}'s output that depend on {@code secret} alone when it follows
     * {@code shift} other bytes (mod 3): they appear in the encoding of any text that holds the secret
     * at such an offset.
     */
    private static String aligned(Base64.Encoder encoder, byte[] secret, int shift) {
        byte[] padded = new byte[shift + secret.length];
        System.arraycopy(secret, 0, padded, shift, secret.length);
        String encoded = encoder.withoutPadding().encodeToString(padded);
        int start = shift == 0 ? 0 : 4; // the first group mixes the preceding bytes in
        int end = (shift + secret.length) % 3 == 0 ? encoded.length() : encoded.length() - (encoded.length() % 4);
        return encoded.substring(start, end);
    }

    /** The Ed25519 seed or the EC private scalar (fixed length) of a PKCS#8 private key. */
    static byte[] secret(byte[] pkcs8) {
        PrivateKey key = null;
        for (String algorithm : List.of("Ed25519", "EC")) {
            try {
                key = KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
                break;
            } catch (GeneralSecurityException notThisOne) {
                // try the next
            }
        }
        return switch (key) {
            case EdECPrivateKey ed -> ed.getBytes().orElseThrow();
            case ECPrivateKey ec -> {
                int length = (ec.getParams().getCurve().getField().getFieldSize() + 7) / 8;
                byte[] s = ec.getS().toByteArray();
                byte[] fixed = new byte[length];
                int copy = Math.min(length, s.length);
                System.arraycopy(s, s.length - copy, fixed, length - copy, copy);
                yield fixed;
            }
            case null, default -> throw new IllegalArgumentException("not an Ed25519 or EC PKCS#8 key: "
                    + Arrays.toString(Arrays.copyOf(pkcs8, Math.min(pkcs8.length, 8))) + "...");
        };
    }

    private static String read(Path file) {
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        } catch (NoSuchFileException e) {
            return "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
