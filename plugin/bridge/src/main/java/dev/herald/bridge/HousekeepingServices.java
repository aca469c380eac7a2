package dev.herald.bridge;

import com.google.protobuf.Empty;
import dev.herald.proto.goplugin.GRPCControllerGrpc;
import dev.herald.proto.goplugin.GRPCStdioGrpc;
import dev.herald.proto.goplugin.StdioData;
import dev.herald.proto.health.HealthCheckRequest;
import dev.herald.proto.health.HealthCheckResponse;
import dev.herald.proto.health.HealthGrpc;
import dev.herald.proto.logical.PluginVersionGrpc;
import dev.herald.proto.logical.VersionReply;
import dev.herald.proto.multiplexing.MultiplexingSupportRequest;
import dev.herald.proto.multiplexing.MultiplexingSupportResponse;
import dev.herald.proto.multiplexing.PluginMultiplexingGrpc;
import io.grpc.stub.StreamObserver;

/** The small services every go-plugin process serves beside the backend. */
final class HousekeepingServices {
    private HousekeepingServices() {
    }

    /** Shutdown: answer, then stop the process (the server kills it 2 s later anyway). */
    static final class Controller extends GRPCControllerGrpc.GRPCControllerImplBase {
        private final Runnable shutdown;

        Controller(Runnable shutdown) {
            this.shutdown = shutdown;
        }

        @Override
        public void shutdown(dev.herald.proto.goplugin.Empty request,
                             StreamObserver<dev.herald.proto.goplugin.Empty> reply) {
            reply.onNext(dev.herald.proto.goplugin.Empty.getDefaultInstance());
            reply.onCompleted();
            // Not on this call's thread: stopping the server waits for its calls to end, this one too,
            // so run here it waited out its whole bound and removed the socket before the server stopped.
            Thread.ofPlatform().name("herald-shutdown").start(shutdown);
        }
    }

    /**
     * The server subscribes to our stdout/stderr copies here. We log to stderr directly (the server
     * reads it), so the stream stays open and silent.
     */
    static final class Stdio extends GRPCStdioGrpc.GRPCStdioImplBase {
        @Override
        public void streamStdio(Empty request, StreamObserver<StdioData> reply) {
            // Intentionally never completed: closing it would make the server log an error.
        }
    }

    /** Health: the "plugin" service (and the server as a whole) is serving while the process lives. */
    static final class Health extends HealthGrpc.HealthImplBase {
        private static HealthCheckResponse status(HealthCheckRequest request) {
            boolean known = request.getService().isEmpty() || request.getService().equals("plugin");
            return HealthCheckResponse.newBuilder()
                    .setStatus(known ? HealthCheckResponse.ServingStatus.SERVING
                            : HealthCheckResponse.ServingStatus.SERVICE_UNKNOWN)
                    .build();
        }

        @Override
        public void check(HealthCheckRequest request, StreamObserver<HealthCheckResponse> reply) {
            reply.onNext(status(request));
            reply.onCompleted();
        }

        @Override
        public void watch(HealthCheckRequest request, StreamObserver<HealthCheckResponse> reply) {
            reply.onNext(status(request));
        }
    }

    /** One process serves every mount of the plugin: each gets its own multiplex id. */
    static final class Multiplexing extends PluginMultiplexingGrpc.PluginMultiplexingImplBase {
        @Override
        public void multiplexingSupport(MultiplexingSupportRequest request,
                                        StreamObserver<MultiplexingSupportResponse> reply) {
            reply.onNext(MultiplexingSupportResponse.newBuilder().setSupported(true).build());
            reply.onCompleted();
        }
    }

    /** The version the plugin reports at registration; empty means "none reported". */
    static final class Version extends PluginVersionGrpc.PluginVersionImplBase {
        private final String version;

        Version(String version) {
            this.version = version;
        }

        @Override
        public void version(dev.herald.proto.logical.Empty request, StreamObserver<VersionReply> reply) {
            reply.onNext(VersionReply.newBuilder().setPluginVersion(version).build());
            reply.onCompleted();
        }
    }
}
