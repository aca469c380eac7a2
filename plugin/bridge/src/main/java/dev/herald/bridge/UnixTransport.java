package dev.herald.bridge;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;

/**
 * gRPC over unix domain sockets with mutual TLS, in both directions the plugin needs: the server
 * Vault dials, and the channels we dial to Vault's broker. TLS is the JDK's provider (the server's
 * P-521 certificate is beyond BoringSSL's verifier), with ALPN h2, which gRPC-Go insists on.
 */
final class UnixTransport implements AutoCloseable {
    /**
     * Largest message the plugin takes from the server (HandleRequest, HandleExistenceCheck, ...).
     * The largest legitimate request is a publish: a CSR or certificate of at most 64 KiB of PEM,
     * metadata of at most max_metadata_bytes (1 MiB at most), at most 64 each of endpoints (512
     * characters), IP addresses and DNS names (about 52 KiB together), a few short fields; and
     * around it the request's headers (only those the mount passes through: none by default; Go's
     * HTTP server takes 1 MiB of headers by default) and its connection with the client's
     * certificate chain for cert auth (Go's TLS takes 256 KiB at most). That is about 2.4 MiB;
     * 4 MiB leaves room for the server's JSON escaping of ordinary text. (Metadata made mostly of
     * '<', '>' and '&', which Go writes as six-byte escapes, near the 1 MiB ceiling would be
     * refused here.)
     *
     * <p>Why a cap at all: a message is held whole in direct memory until it has arrived, then
     * parsed onto the heap, and the server lets bodies of up to 32 MB through, to any path,
     * unauthenticated ones included. grpc-java refuses a larger message from its 5-byte length
     * prefix, before buffering any of it (MessageDeframer.processHeader: RESOURCE_EXHAUSTED
     * "gRPC message exceeds maximum size"), and ends that stream only: the one connection every
     * mount shares stays up. jvm.options sizes the direct memory from this number.
     */
    static final int MAX_REQUEST_BYTES = 4 << 20;

    /**
     * Largest message the plugin takes as a client (storage entries and listings from the server's
     * broker): the servers' own gRPC limit; grpc-java's default of 4 MiB would refuse large storage
     * entries. Only the server sends these, in answer to the plugin's own calls.
     */
    static final int MAX_REPLY_BYTES = Integer.MAX_VALUE;

    private final TlsIdentity identity;
    private final X509Certificate peer;
    private final SslContext serverContext;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;

    private UnixTransport(TlsIdentity identity, X509Certificate peer, SslContext serverContext,
                          EventLoopGroup boss, EventLoopGroup workers) {
        this.identity = identity;
        this.peer = peer;
        this.serverContext = serverContext;
        this.boss = boss;
        this.workers = workers;
    }

    /**
     * Starts the slow parts of a transport that need nothing from the server: the TLS key (the one
     * the shim made, from the inherited descriptor {@code inheritedIdentityFd}, or a fresh one), and
     * the JDK's TLS set-up for it, which runs on its own thread while the caller checks the
     * environment and starts Netty's event loops. {@link Pending#finish} completes the transport
     * once the server's certificate is known.
     */
    static Pending begin(String inheritedIdentityFd) {
        return new Pending(inheritedIdentityFd);
    }

    /** A transport whose TLS identity and context are being prepared on another thread. */
    static final class Pending {
        private final CompletableFuture<X509Certificate> peer = new CompletableFuture<>();
        private final CompletableFuture<TlsIdentity> identity = new CompletableFuture<>();
        private final CompletableFuture<SslContext> serverContext = new CompletableFuture<>();

        private Pending(String inheritedIdentityFd) {
            Thread.ofPlatform().daemon().name("herald-tls-setup").start(() -> {
                try {
                    TlsIdentity generated = TlsIdentity.inheritedOrGenerated(inheritedIdentityFd);
                    identity.complete(generated);
                    serverContext.complete(serverContext(generated, peer.join()));
                } catch (GeneralSecurityException | SSLException | RuntimeException e) {
                    identity.completeExceptionally(e);
                    serverContext.completeExceptionally(e);
                }
            });
        }

        /** The transport, trusting only {@code peerCertificate}; starts Netty's event loops meanwhile. */
        UnixTransport finish(X509Certificate peerCertificate) throws GeneralSecurityException, SSLException {
            peer.complete(peerCertificate);
            EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
            EventLoopGroup workers = new MultiThreadIoEventLoopGroup(
                    Math.max(2, Runtime.getRuntime().availableProcessors()), EpollIoHandler.newFactory());
            try {
                return new UnixTransport(identity.join(), peerCertificate, serverContext.join(), boss, workers);
            } catch (CompletionException e) {
                boss.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
                workers.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
                switch (e.getCause()) {
                    case GeneralSecurityException g -> throw g;
                    case SSLException s -> throw s;
                    case RuntimeException r -> throw r;
                    default -> throw e;
                }
            }
        }
    }

    /** A transport presenting a given identity (the simulated server's side). */
    static UnixTransport forIdentity(TlsIdentity identity, X509Certificate peer) throws SSLException {
        return new UnixTransport(identity, peer, serverContext(identity, peer),
                new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory()),
                new MultiThreadIoEventLoopGroup(2, EpollIoHandler.newFactory()));
    }

    /** The identity this transport presents. */
    TlsIdentity identity() {
        return identity;
    }

    /** Serves {@code services}, refusing messages larger than {@code maxMessageBytes}. */
    Server serve(String socketPath, List<ServerServiceDefinition> services, ServerInterceptor interceptor,
                 Executor executor, int maxMessageBytes) throws IOException {
        NettyServerBuilder builder = NettyServerBuilder.forAddress(new DomainSocketAddress(socketPath))
                .channelType(EpollServerDomainSocketChannel.class)
                .bossEventLoopGroup(boss)
                .workerEventLoopGroup(workers)
                .sslContext(serverContext)
                .maxInboundMessageSize(maxMessageBytes)
                .maxInboundMetadataSize(1 << 20)
                .permitKeepAliveWithoutCalls(true)
                .permitKeepAliveTime(1, TimeUnit.SECONDS)
                .executor(executor);
        for (ServerServiceDefinition service : services) {
            builder.addService(io.grpc.ServerInterceptors.intercept(service, interceptor));
        }
        return builder.build().start();
    }

    ManagedChannel dial(String socketPath) {
        return NettyChannelBuilder.forAddress(new DomainSocketAddress(socketPath))
                .channelType(EpollDomainSocketChannel.class)
                .eventLoopGroup(workers)
                .sslContext(clientContext())
                // The server's certificate names "localhost"; a unix socket has no host name of its own.
                .overrideAuthority("localhost")
                .maxInboundMessageSize(MAX_REPLY_BYTES)
                .directExecutor()
                .build();
    }

    /**
     * ChaCha20-Poly1305 first. The plugin runs with C1 only (fast start, small footprint), and the
     * JDK's AES-GCM is fast only with C2's intrinsics: measured under C1, AES-256-GCM seals 40 MB/s
     * and ChaCha20-Poly1305 181 MB/s, and every byte of every request and storage call passes
     * through the cipher. As the TLS server the JDK picks by its own order; as the client, Go's
     * server follows a client that does not put AES-GCM first.
     */
    static final List<String> CIPHER_SUITES = List.of("TLS_CHACHA20_POLY1305_SHA256", "TLS_AES_128_GCM_SHA256",
            "TLS_AES_256_GCM_SHA384", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384");

    /** ALPN with h2 only, as gRPC's own configuration (GrpcSslContexts) asks for. */
    private static final ApplicationProtocolConfig ALPN_H2 = new ApplicationProtocolConfig(
            ApplicationProtocolConfig.Protocol.ALPN,
            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
            "h2");

    private static SslContext serverContext(TlsIdentity identity, X509Certificate peer) throws SSLException {
        return jdkContext(identity, peer, false);
    }

    /**
     * The JDK's SSLContext with our one key and one trusted certificate, wrapped by Netty as is.
     * Built by hand because the usual way (SslContextBuilder, configured by GrpcSslContexts) adds
     * two probes to the start-up path, each a TLS context of its own: GrpcSslContexts checks that
     * the JDK supports ALPN (a default SSLContext and engine, and the JDK's key store classes), and
     * Netty's JdkSslServerContext, when its class is first used, parses a bundled RSA key and
     * certificate into a PKCS#12 key store to learn whether it may wrap trust managers. Neither
     * answer matters here: every JDK since 9 has ALPN, and the trust manager is ours (an
     * X509ExtendedTrustManager, which the JDK uses as it is).
     */
    private static SslContext jdkContext(TlsIdentity identity, X509Certificate peer, boolean client)
            throws SSLException {
        SSLContext context;
        try {
            context = SSLContext.getInstance("TLS");
            context.init(new KeyManager[] {new SingleKeyManager(identity)},
                    new TrustManager[] {new PinnedTrustManager(peer)}, null);
        } catch (GeneralSecurityException e) {
            throw new SSLException("cannot set up the JDK's TLS", e);
        }
        return new JdkSslContext(context, client, CIPHER_SUITES, SupportedCipherSuiteFilter.INSTANCE, ALPN_H2,
                client ? ClientAuth.NONE : ClientAuth.REQUIRE, null, false);
    }

    private SslContext clientContext() {
        try {
            return jdkContext(identity, peer, true);
        } catch (SSLException e) {
            throw new IllegalStateException("cannot build the TLS client context", e);
        }
    }

    /**
     * Stops the event loops and waits (bounded) until they have closed every connection, so that
     * nothing is served once the caller removes the socket: a starved machine let the gRPC server's
     * own bounded wait pass with a connection still open, and a call on it was answered after the
     * socket was gone. At most 1 s in all: with the server's own wait (PluginServer.close) the
     * process still exits within go-plugin's 2 s grace after Shutdown. Never called on an event
     * loop (it would wait for itself).
     */
    @Override
    public void close() {
        var bossDone = boss.shutdownGracefully(0, 200, TimeUnit.MILLISECONDS);
        var workersDone = workers.shutdownGracefully(0, 200, TimeUnit.MILLISECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        bossDone.awaitUninterruptibly(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        workersDone.awaitUninterruptibly(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }
}
