package dev.herald.bridge;

import dev.herald.proto.goplugin.ConnInfo;
import dev.herald.proto.goplugin.GRPCBrokerGrpc;
import io.grpc.stub.StreamObserver;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * go-plugin's broker, plugin side. The server opens one stream for the process's lifetime and, for
 * each mount, announces on it a unix socket it serves Storage and SystemView on, under an id that
 * the mount's Setup call names. Announcement and Setup race, so either may come first.
 */
final class Broker extends GRPCBrokerGrpc.GRPCBrokerImplBase {
    private final ConcurrentMap<Integer, CompletableFuture<ConnInfo>> announcements = new ConcurrentHashMap<>();
    private final Runnable onStreamLost;

    /** @param onStreamLost called when the server closes the broker stream (it has gone away) */
    Broker(Runnable onStreamLost) {
        this.onStreamLost = onStreamLost;
    }

    private CompletableFuture<ConnInfo> slot(int serviceId) {
        return announcements.computeIfAbsent(serviceId, id -> new CompletableFuture<>());
    }

    /** The address announced for {@code serviceId}, waiting up to {@code timeout} for it. */
    ConnInfo await(int serviceId, Duration timeout) throws TimeoutException, InterruptedException {
        CompletableFuture<ConnInfo> slot = slot(serviceId);
        try {
            return slot.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } finally {
            announcements.remove(serviceId, slot);
        }
    }

    @Override
    public StreamObserver<ConnInfo> startStream(StreamObserver<ConnInfo> toServer) {
        return new StreamObserver<>() {
            @Override
            public void onNext(ConnInfo info) {
                // Knocks only occur with yamux multiplexing, which we decline in the handshake.
                if (!info.hasKnock()) {
                    slot(info.getServiceId()).complete(info);
                }
            }

            @Override
            public void onError(Throwable t) {
                onStreamLost.run();
            }

            @Override
            public void onCompleted() {
                toServer.onCompleted();
                onStreamLost.run();
            }
        };
    }
}
