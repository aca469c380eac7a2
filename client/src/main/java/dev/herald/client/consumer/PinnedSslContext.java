package dev.herald.client.consumer;

import dev.herald.client.HeraldException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyManagementException;
import java.security.SecureRandom;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;

/**
 * The TLS context of a {@link PinnedTrust}: every engine and socket it makes comes from an
 * underlying JDK context that is replaced whenever a peer trusted before may no longer be (a key
 * left the record, or the record expired; see {@link PinnedTrust#epoch}).
 *
 * <p>Why: a resumed TLS session (a session id or ticket from an earlier handshake) skips the trust
 * manager altogether, so the peer of a key that a newer record no longer lists could otherwise
 * resume the session it made while it was trusted. A new underlying context has an empty session
 * cache and new ticket keys, so nothing made before can be resumed with it. Its sessions also time
 * out when the record it was made under expires.
 *
 * <p>An {@code SSLServerSocket} keeps the underlying context it was made with; a server that must
 * see key removals at once makes an {@link SSLEngine} (or socket) per connection, as the JDK's
 * {@code HttpsServer}, Netty and Jetty do.
 */
final class PinnedSslContext extends SSLContext {

    PinnedSslContext(PinnedTrust trust, KeyManager[] ownKey) {
        super(new Spi(trust, ownKey), null, "TLS");
    }

    /** Delegates each call to the underlying context of the trust's current epoch. */
    private static final class Spi extends SSLContextSpi {
        private final PinnedTrust trust;
        private final KeyManager[] ownKey;
        private long epoch = Long.MIN_VALUE;
        private SSLContext underlying;

        Spi(PinnedTrust trust, KeyManager[] ownKey) {
            this.trust = trust;
            this.ownKey = ownKey == null ? null : ownKey.clone();
        }

        private synchronized SSLContext current() {
            long now = trust.epoch();
            if (underlying == null || now != epoch) {
                try {
                    SSLContext context = SSLContext.getInstance("TLS");
                    context.init(ownKey, new TrustManager[] {trust}, new SecureRandom());
                    int life = trust.secondsLeft();
                    // 0 would mean "no limit" to the JDK: a record already expired gets the shortest timeout there is
                    context.getClientSessionContext().setSessionTimeout(Math.max(1, life));
                    context.getServerSessionContext().setSessionTimeout(Math.max(1, life));
                    underlying = context;
                    epoch = now;
                } catch (GeneralSecurityException e) {
                    throw new HeraldException("cannot set up TLS: " + e.getMessage(), e);
                }
            }
            return underlying;
        }

        @Override
        protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom random) throws KeyManagementException {
            throw new KeyManagementException("this context is set up by PinnedTrust.sslContext and cannot be initialised again");
        }

        @Override
        protected SSLSocketFactory engineGetSocketFactory() {
            return new SocketFactory();
        }

        @Override
        protected SSLServerSocketFactory engineGetServerSocketFactory() {
            return new ServerSocketFactory();
        }

        @Override
        protected SSLEngine engineCreateSSLEngine() {
            return current().createSSLEngine();
        }

        @Override
        protected SSLEngine engineCreateSSLEngine(String host, int port) {
            return current().createSSLEngine(host, port);
        }

        @Override
        protected SSLSessionContext engineGetServerSessionContext() {
            return current().getServerSessionContext();
        }

        @Override
        protected SSLSessionContext engineGetClientSessionContext() {
            return current().getClientSessionContext();
        }

        @Override
        protected SSLParameters engineGetDefaultSSLParameters() {
            return current().getDefaultSSLParameters();
        }

        @Override
        protected SSLParameters engineGetSupportedSSLParameters() {
            return current().getSupportedSSLParameters();
        }

        /** Sockets from the current underlying context, at the time each is made (callers keep factories). */
        private final class SocketFactory extends SSLSocketFactory {
            private SSLSocketFactory delegate() {
                return current().getSocketFactory();
            }

            @Override
            public String[] getDefaultCipherSuites() {
                return delegate().getDefaultCipherSuites();
            }

            @Override
            public String[] getSupportedCipherSuites() {
                return delegate().getSupportedCipherSuites();
            }

            @Override
            public Socket createSocket() throws IOException {
                return delegate().createSocket();
            }

            @Override
            public Socket createSocket(Socket socket, String host, int port, boolean autoClose) throws IOException {
                return delegate().createSocket(socket, host, port, autoClose);
            }

            @Override
            public Socket createSocket(Socket socket, InputStream consumed, boolean autoClose) throws IOException {
                return delegate().createSocket(socket, consumed, autoClose);
            }

            @Override
            public Socket createSocket(String host, int port) throws IOException {
                return delegate().createSocket(host, port);
            }

            @Override
            public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
                return delegate().createSocket(host, port, localHost, localPort);
            }

            @Override
            public Socket createSocket(InetAddress host, int port) throws IOException {
                return delegate().createSocket(host, port);
            }

            @Override
            public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
                    throws IOException {
                return delegate().createSocket(address, port, localAddress, localPort);
            }
        }

        /** Server sockets from the current underlying context (each keeps it; see the class comment). */
        private final class ServerSocketFactory extends SSLServerSocketFactory {
            private SSLServerSocketFactory delegate() {
                return current().getServerSocketFactory();
            }

            @Override
            public String[] getDefaultCipherSuites() {
                return delegate().getDefaultCipherSuites();
            }

            @Override
            public String[] getSupportedCipherSuites() {
                return delegate().getSupportedCipherSuites();
            }

            @Override
            public ServerSocket createServerSocket() throws IOException {
                return delegate().createServerSocket();
            }

            @Override
            public ServerSocket createServerSocket(int port) throws IOException {
                return delegate().createServerSocket(port);
            }

            @Override
            public ServerSocket createServerSocket(int port, int backlog) throws IOException {
                return delegate().createServerSocket(port, backlog);
            }

            @Override
            public ServerSocket createServerSocket(int port, int backlog, InetAddress address) throws IOException {
                return delegate().createServerSocket(port, backlog, address);
            }
        }
    }
}
