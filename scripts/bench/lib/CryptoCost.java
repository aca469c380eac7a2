// The cost of the crypto on Herald's request paths, under the JIT the plugin runs with (C1 only,
// -XX:TieredStopAtLevel=1, see plugin/dist jvm.options) and under the default tiered JIT (C2):
//   - AES-GCM, the cipher of the TLS 1.3 connection between the server and the plugin: every byte
//     of a request, a response and a storage entry passes through it;
//   - Ed25519 verify (a CSR's proof of possession) and sign (a discover record), with the JDK's
//     provider, and with BouncyCastle's rfc8032 code when it is on the class path (the plugin jar).
//
//   java -XX:TieredStopAtLevel=1 -cp target/plugin/herald.d/herald-plugin.jar scripts/bench/lib/CryptoCost.java
//   java                         -cp target/plugin/herald.d/herald-plugin.jar scripts/bench/lib/CryptoCost.java
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Signature;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

public class CryptoCost {
    public static void main(String[] args) throws Throwable {
        int rounds = 5;
        byte[] plain = new byte[16384], sealed = new byte[16384 + 16], iv = new byte[12];
        Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
        SecretKeySpec aes = new SecretKeySpec(new byte[32], "AES");
        double gcmRate = 0;
        for (int round = 0; round < rounds; round++) {
            long t = System.nanoTime();
            int n = 2000;
            for (int i = 0; i < n; i++) {
                iv[0] = (byte) i; iv[1] = (byte) (i >> 8); iv[2] = (byte) round;
                gcm.init(Cipher.ENCRYPT_MODE, aes, new GCMParameterSpec(128, iv));
                gcm.doFinal(plain, 0, plain.length, sealed, 0);
            }
            gcmRate = (double) n * plain.length / ((System.nanoTime() - t) / 1e9) / 1e6;
        }
        System.out.printf("AES-256-GCM seal, 16 KiB records: %7.0f MB/s (%.1f us per KiB)%n", gcmRate, 1024 / gcmRate);

        KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        byte[] message = new byte[200];
        Signature signer = Signature.getInstance("Ed25519");
        signer.initSign(pair.getPrivate());
        signer.update(message);
        byte[] signature = signer.sign();
        double verify = 0, sign = 0;
        for (int round = 0; round < rounds; round++) {
            int n = 500;
            long t = System.nanoTime();
            for (int i = 0; i < n; i++) {
                Signature v = Signature.getInstance("Ed25519");
                v.initVerify(pair.getPublic());
                v.update(message);
                if (!v.verify(signature)) throw new AssertionError();
            }
            long t2 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                Signature s = Signature.getInstance("Ed25519");
                s.initSign(pair.getPrivate());
                s.update(message);
                s.sign();
            }
            verify = (t2 - t) / 1e3 / n;
            sign = (System.nanoTime() - t2) / 1e3 / n;
        }
        System.out.printf("Ed25519, JDK provider:             verify %6.0f us, sign %6.0f us%n", verify, sign);

        Class<?> bc;
        try {
            bc = Class.forName("org.bouncycastle.math.ec.rfc8032.Ed25519");
        } catch (ClassNotFoundException e) {
            System.out.println("Ed25519, BouncyCastle rfc8032:     (not on the class path)");
            return;
        }
        MethodHandles.Lookup lookup = MethodHandles.publicLookup();
        MethodHandle publicKey = lookup.findStatic(bc, "generatePublicKey",
                MethodType.methodType(void.class, byte[].class, int.class, byte[].class, int.class));
        MethodHandle bcSign = lookup.findStatic(bc, "sign", MethodType.methodType(void.class, byte[].class, int.class,
                byte[].class, int.class, int.class, byte[].class, int.class));
        MethodHandle bcVerify = lookup.findStatic(bc, "verify", MethodType.methodType(boolean.class, byte[].class,
                int.class, byte[].class, int.class, byte[].class, int.class, int.class));
        byte[] sk = new byte[32], pk = new byte[32], sig = new byte[64];
        new SecureRandom().nextBytes(sk);
        publicKey.invokeExact(sk, 0, pk, 0);
        for (int round = 0; round < rounds; round++) {
            int n = 2000;
            long t = System.nanoTime();
            for (int i = 0; i < n; i++) {
                bcSign.invokeExact(sk, 0, message, 0, message.length, sig, 0);
            }
            long t2 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                if (!(boolean) bcVerify.invokeExact(sig, 0, pk, 0, message, 0, message.length)) throw new AssertionError();
            }
            sign = (t2 - t) / 1e3 / n;
            verify = (System.nanoTime() - t2) / 1e3 / n;
        }
        System.out.printf("Ed25519, BouncyCastle rfc8032:     verify %6.0f us, sign %6.0f us%n", verify, sign);
    }
}
