package dev.herald.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * The workload of {@link ClientFlowTest}: a TLS echo service on loopback that presents the key and
 * certificate the publisher sidecar writes (read again for every connection, so a rotation is taken
 * up at once), and requires a client certificate from the test CA (the consumer's, in its token).
 */
final class EchoService implements AutoCloseable {
    private final ServerSocket listener;
    private final Path certificateFile;
    private final Path keyFile;
    private final X509Certificate clientCa;
    private final AtomicInteger served = new AtomicInteger();
    private final Thread thread;

    EchoService(int port, Path certificateFile, Path keyFile, X509Certificate clientCa) throws IOException {
        this.listener = new ServerSocket(port, 50, InetAddress.getLoopbackAddress());
        this.certificateFile = certificateFile;
        this.keyFile = keyFile;
        this.clientCa = clientCa;
        this.thread = new Thread(this::serve, "echo-" + port);
        thread.setDaemon(true);
        thread.start();
    }

    int served() {
        return served.get();
    }

    /** Accepts connections and serves each in a thread of its own, as a real service does: a slow peer delays nobody else. */
    private void serve() {
        while (!listener.isClosed()) {
            try {
                Socket plain = listener.accept();
                Thread.ofVirtual().name("echo-connection").start(() -> serve(plain));
            } catch (IOException e) {
                if (!listener.isClosed()) {
                    System.err.println("herald-it: echo service: " + e);
                }
            }
        }
    }

    /** One connection, with the key and certificate in the files when it came. */
    private void serve(Socket plain) {
        try (plain; SSLSocket socket = (SSLSocket) context().getSocketFactory().createSocket(plain, null, plain.getPort(), true)) {
            socket.setUseClientMode(false);
            socket.setNeedClientAuth(true);
            socket.setSoTimeout(5000);
            String line = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8)).readLine();
            OutputStream out = socket.getOutputStream();
            out.write(("echo " + line + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            served.incrementAndGet();
        } catch (IOException | GeneralSecurityException e) {
            if (!listener.isClosed()) {
                System.err.println("herald-it: echo service: " + e);
            }
        }
    }

    /**
     * A TLS context with the key and certificate in the files now. The sidecar replaces each file
     * atomically, the key first: for a moment the new key sits beside the old certificate, so a pair
     * that does not match (a test signature does not verify) is read again.
     */
    private SSLContext context() throws IOException, GeneralSecurityException {
        X509Certificate certificate = null;
        PrivateKey key = null;
        for (int attempt = 0; attempt < 100; attempt++) {
            certificate = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new java.io.ByteArrayInputStream(Files.readAllBytes(certificateFile)));
            String pem = Files.readString(keyFile).replaceAll("-----[A-Z ]+-----|\\s", "");
            String algorithm = certificate.getPublicKey().getAlgorithm();
            key = KeyFactory.getInstance(algorithm.equals("EdDSA") ? "Ed25519" : algorithm)
                    .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem)));
            if (matches(key, certificate)) {
                break;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("workload", key, new char[0], new Certificate[] {certificate});
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance("SunX509");
        keyManagers.init(keys, new char[0]);
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("ca", clientCa);
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keyManagers.getKeyManagers(), trust.getTrustManagers(), null);
        return context;
    }

    private static boolean matches(PrivateKey key, X509Certificate certificate) throws GeneralSecurityException {
        String algorithm = key.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "Ed25519";
        java.security.Signature signer = java.security.Signature.getInstance(algorithm);
        signer.initSign(key);
        signer.update(new byte[] {1});
        byte[] signature = signer.sign();
        java.security.Signature verifier = java.security.Signature.getInstance(algorithm);
        verifier.initVerify(certificate.getPublicKey());
        verifier.update(new byte[] {1});
        return verifier.verify(signature);
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }
}
