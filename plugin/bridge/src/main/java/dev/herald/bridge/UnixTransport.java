package dev.herald.bridge;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;

import java.io.IOException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * gRPC over unix domain sockets with mutual TLS, in both directions the plugin needs: the server
 * Vault dials, and the channels we dial to Vault's broker. TLS is the JDK's provider (the server's
 * P-521 certificate is beyond BoringSSL's verifier), with ALPN h2, which gRPC-Go insists on.
 */
final class UnixTransport implements AutoCloseable {
    /** The servers' own gRPC limit; grpc-java's default of 4 MiB would refuse large storage entries. */
    static final int MAX_MESSAGE_BYTES = Integer.MAX_VALUE;

    private final TlsIdentity identity;
    private final X509Certificate peer;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;

    UnixTransport(TlsIdentity identity, X509Certificate peer) {
        this.identity = identity;
        this.peer = peer;
        this.boss = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        this.workers = new MultiThreadIoEventLoopGroup(Math.max(2, Runtime.getRuntime().availableProcessors()),
                EpollIoHandler.newFactory());
    }

    Server serve(String socketPath, List<ServerServiceDefinition> services, ServerInterceptor interceptor,
                 Executor executor) throws IOException {
        NettyServerBuilder builder = NettyServerBuilder.forAddress(new DomainSocketAddress(socketPath))
                .channelType(EpollServerDomainSocketChannel.class)
                .bossEventLoopGroup(boss)
                .workerEventLoopGroup(workers)
                .sslContext(serverContext())
                .maxInboundMessageSize(MAX_MESSAGE_BYTES)
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
                .maxInboundMessageSize(MAX_MESSAGE_BYTES)
                .directExecutor()
                .build();
    }

    private SslContext serverContext() throws SSLException {
        return GrpcSslContexts.configure(SslContextBuilder.forServer(identity.privateKey(), identity.certificate()),
                        SslProvider.JDK)
                .trustManager(new PinnedTrustManager(peer))
                .clientAuth(ClientAuth.REQUIRE)
                .build();
    }

    private SslContext clientContext() {
        try {
            return GrpcSslContexts.configure(SslContextBuilder.forClient()
                            .keyManager(identity.privateKey(), identity.certificate()), SslProvider.JDK)
                    .trustManager(new PinnedTrustManager(peer))
                    .build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot build the TLS client context", e);
        }
    }

    @Override
    public void close() {
        boss.shutdownGracefully(0, 200, TimeUnit.MILLISECONDS);
        workers.shutdownGracefully(0, 200, TimeUnit.MILLISECONDS);
    }
}
