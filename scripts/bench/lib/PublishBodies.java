// Writes N publish request bodies for Herald, one JSON object per line, each with a fresh Ed25519
// key: line k (from 0) is for instance "<prefix><k>" and claims the endpoint <prefix><k>.<domain>:443.
// Run with the JDK 25 single-file launcher (no build, no dependencies):
//
//   java scripts/bench/lib/PublishBodies.java --count 2000 --proof csr|public_key \
//        --role bench --prefix i- --domain bench.internal --out bodies.jsonl
//
// --proof csr writes a PKCS#10 request (subject CN=<instance>, signed by the key: the proof of
// possession the engine verifies); public_key writes the bare SubjectPublicKeyInfo PEM (roles with
// require_proof=false). Keys are made in parallel; the order of the lines is the index order.
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.util.Base64;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

public class PublishBodies {
    public static void main(String[] args) throws IOException {
        int count = 2000;
        String proof = "csr", role = "bench", prefix = "i-", domain = "bench.internal", out = null;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--count" -> count = Integer.parseInt(value);
                case "--proof" -> proof = value;
                case "--role" -> role = value;
                case "--prefix" -> prefix = value;
                case "--domain" -> domain = value;
                case "--out" -> out = value;
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
            i++;
        }
        if (out == null || !(proof.equals("csr") || proof.equals("public_key"))) {
            throw new IllegalArgumentException("usage: --out FILE [--count N] [--proof csr|public_key] [--role R] [--prefix P] [--domain D]");
        }
        final String proofField = proof, roleName = role, namePrefix = prefix, dnsDomain = domain;
        String lines = IntStream.range(0, count).parallel()
                .mapToObj(k -> body(proofField, roleName, namePrefix + k, dnsDomain))
                .collect(Collectors.joining("\n", "", "\n"));
        Files.writeString(Path.of(out), lines, StandardCharsets.US_ASCII);
    }

    private static String body(String proof, String role, String instance, String domain) {
        try {
            KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            byte[] spki = pair.getPublic().getEncoded();
            String pem;
            if (proof.equals("public_key")) {
                pem = pem("PUBLIC KEY", spki);
            } else {
                byte[] cn = tlv(0x0c, instance.getBytes(StandardCharsets.UTF_8));          // UTF8String
                byte[] oidCn = {0x06, 0x03, 0x55, 0x04, 0x03};                              // 2.5.4.3
                byte[] subject = tlv(0x30, tlv(0x31, tlv(0x30, cat(oidCn, cn))));          // Name: CN=instance
                byte[] info = tlv(0x30, cat(new byte[]{0x02, 0x01, 0x00}, subject, spki,    // version 0
                        new byte[]{(byte) 0xa0, 0x00}));                                    // attributes [0] {}
                Signature signer = Signature.getInstance("Ed25519");
                signer.initSign(pair.getPrivate());
                signer.update(info);
                byte[] signature = signer.sign();
                byte[] algorithm = {0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70};              // 1.3.101.112
                byte[] bits = tlv(0x03, cat(new byte[]{0x00}, signature));
                pem = pem("CERTIFICATE REQUEST", tlv(0x30, cat(info, algorithm, bits)));
            }
            return "{\"role\":\"" + role + "\",\"" + proof + "\":\"" + pem.replace("\n", "\\n")
                    + "\",\"endpoints\":[\"" + instance + "." + domain + ":443\"]}";
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[]{'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static byte[] tlv(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        int n = content.length;
        if (n < 0x80) {
            out.write(n);
        } else if (n < 0x100) {
            out.write(0x81);
            out.write(n);
        } else {
            out.write(0x82);
            out.write(n >> 8);
            out.write(n & 0xff);
        }
        out.writeBytes(content);
        return out.toByteArray();
    }

    private static byte[] cat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
