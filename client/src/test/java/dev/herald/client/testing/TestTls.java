package dev.herald.client.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

/** TLS on loopback for tests that look at what each side presents. */
public final class TestTls {
    private TestTls() {
    }

    /**
     * Connects to {@code listener} with a socket of {@code client}; both sides complete the handshake
     * and pass one byte. Throws if either side fails (the server's failure as the cause).
     */
    public static void handshake(SSLServerSocket listener, SSLContext client) throws Exception {
        CompletableFuture<Void> accepted = CompletableFuture.runAsync(() -> {
            try (SSLSocket socket = (SSLSocket) listener.accept()) {
                socket.startHandshake();
                socket.getOutputStream().write(1);
                socket.getOutputStream().flush();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        try (SSLSocket socket = (SSLSocket) client.getSocketFactory()
                .createSocket(InetAddress.getLoopbackAddress(), listener.getLocalPort())) {
            socket.startHandshake();
            assertEquals(1, socket.getInputStream().read());
        }
        accepted.get(20, TimeUnit.SECONDS);
    }
}
