package dev.herald.bridge;

import dev.herald.proto.goplugin.ConnInfo;
import dev.herald.proto.pb.BackendGrpc;
import dev.herald.proto.pb.Empty;
import dev.herald.proto.pb.HandleExistenceCheckArgs;
import dev.herald.proto.pb.HandleExistenceCheckReply;
import dev.herald.proto.pb.HandleRequestArgs;
import dev.herald.proto.pb.HandleRequestReply;
import dev.herald.proto.pb.InitializeArgs;
import dev.herald.proto.pb.InitializeReply;
import dev.herald.proto.pb.InvalidateKeyArgs;
import dev.herald.proto.pb.Paths;
import dev.herald.proto.pb.ProtoError;
import dev.herald.proto.pb.SetupArgs;
import dev.herald.proto.pb.SetupReply;
import dev.herald.proto.pb.SpecialPathsReply;
import dev.herald.proto.pb.TypeReply;
import dev.herald.sdk.Backend;
import dev.herald.sdk.BackendFactory;
import dev.herald.sdk.Log;
import dev.herald.sdk.Mount;
import dev.herald.sdk.Request;
import dev.herald.sdk.Response;
import dev.herald.sdk.SpecialPaths;
import dev.herald.sdk.StorageException;
import dev.herald.sdk.VaultException;
import dev.herald.sdk.json.JsonException;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * pb.Backend: the server's calls for each mount, dispatched to that mount's sdk {@link Backend}.
 * Business failures travel inside the replies (ProtoError); a gRPC error status is kept for "this
 * process has no such mount", which makes the server set the mount up again.
 */
final class BackendService extends BackendGrpc.BackendImplBase {
    private static final Log LOG = Log.named("herald.bridge");
    private static final Metadata.Key<String> MULTIPLEX_ID = Metadata.Key.of("multiplex_id", Metadata.ASCII_STRING_MARSHALLER);
    private static final Context.Key<String> MOUNT_ID = Context.key("multiplex_id");
    private static final Duration BROKER_WAIT = Duration.ofSeconds(10);
    /** A secrets engine, as opposed to an auth method (2). */
    private static final int TYPE_LOGICAL = 1;

    private final BackendFactory factory;
    private final Broker broker;
    private final Function<String, ManagedChannel> dialer;
    private final MountRegistry mounts = new MountRegistry();

    BackendService(BackendFactory factory, Broker broker, Function<String, ManagedChannel> dialer) {
        this.factory = factory;
        this.broker = broker;
        this.dialer = dialer;
    }

    /** Puts the server's multiplex id of each call into its gRPC context. */
    static ServerInterceptor multiplexIdInterceptor() {
        return new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                              ServerCallHandler<Q, R> next) {
                String id = headers.get(MULTIPLEX_ID);
                Context context = Context.current().withValue(MOUNT_ID, id == null ? "" : id);
                return io.grpc.Contexts.interceptCall(context, call, headers, next);
            }
        };
    }

    private static String mountId() {
        String id = MOUNT_ID.get();
        return id == null ? "" : id;
    }

    int mountCount() {
        return mounts.size();
    }

    @Override
    public void setup(SetupArgs args, StreamObserver<SetupReply> reply) {
        String id = mountId();
        ManagedChannel channel = null;
        try {
            ConnInfo address = broker.await(args.getBrokerId(), BROKER_WAIT);
            if (!"unix".equals(address.getNetwork())) {
                throw new IllegalStateException("the server's broker offered a " + address.getNetwork()
                        + " socket; this plugin dials unix sockets only");
            }
            channel = dialer.apply(address.getAddress());
            Mount mount = new Mount(new GrpcStorage(channel), new GrpcSystemView(channel), args.getConfigMap(),
                    args.getBackendUUID());
            mounts.put(id, new MountRegistry.Instance(factory.create(mount), channel));
            LOG.debug("mount set up", "multiplex_id", id, "backend_uuid", args.getBackendUUID());
            reply.onNext(SetupReply.getDefaultInstance());
        } catch (TimeoutException e) {
            shutdownQuietly(channel);
            reply.onNext(SetupReply.newBuilder().setErr("the server did not announce broker connection "
                    + args.getBrokerId() + " within " + BROKER_WAIT.toSeconds() + "s").build());
        } catch (InterruptedException e) {
            shutdownQuietly(channel);
            Thread.currentThread().interrupt();
            reply.onNext(SetupReply.newBuilder().setErr("interrupted while setting up the mount").build());
        } catch (RuntimeException e) {
            shutdownQuietly(channel);
            LOG.error("mount setup failed", "multiplex_id", id, "error", e);
            reply.onNext(SetupReply.newBuilder().setErr("setting up the mount failed: " + e.getMessage()).build());
        }
        reply.onCompleted();
    }

    private static void shutdownQuietly(ManagedChannel channel) {
        if (channel != null) {
            channel.shutdownNow();
        }
    }

    @Override
    public void type(Empty request, StreamObserver<TypeReply> reply) {
        reply.onNext(TypeReply.newBuilder().setType(TYPE_LOGICAL).build());
        reply.onCompleted();
    }

    @Override
    public void specialPaths(Empty request, StreamObserver<SpecialPathsReply> reply) {
        SpecialPaths special = mounts.get(mountId()).map(i -> i.backend().specialPaths()).orElse(SpecialPaths.NONE);
        reply.onNext(SpecialPathsReply.newBuilder().setPaths(Paths.newBuilder()
                .addAllRoot(special.root())
                .addAllUnauthenticated(special.unauthenticated())
                .addAllSealWrapStorage(special.sealWrapStorage())
                .addAllLocalStorage(special.localStorage())).build());
        reply.onCompleted();
    }

    @Override
    public void initialize(InitializeArgs request, StreamObserver<InitializeReply> reply) {
        MountRegistry.Instance instance = instanceOrFail(reply);
        if (instance == null) {
            return;
        }
        InitializeReply.Builder out = InitializeReply.newBuilder();
        try {
            instance.backend().initialize();
        } catch (RuntimeException e) {
            out.setErr(failure(e, "initialize"));
        }
        reply.onNext(out.build());
        reply.onCompleted();
    }

    @Override
    public void handleRequest(HandleRequestArgs args, StreamObserver<HandleRequestReply> reply) {
        MountRegistry.Instance instance = instanceOrFail(reply);
        if (instance == null) {
            return;
        }
        HandleRequestReply.Builder out = HandleRequestReply.newBuilder();
        try {
            Request request = Translation.request(args.getRequest());
            Response response = instance.backend().handle(request);
            dev.herald.proto.pb.Response wire = Translation.response(response, Instant.now());
            if (wire != null) {
                out.setResponse(wire);
            }
        } catch (VaultException e) {
            Translation.reject(e, out);
        } catch (RuntimeException e) {
            out.setErr(failure(e, args.getRequest().getOperation() + " " + args.getRequest().getPath()));
        }
        reply.onNext(out.build());
        reply.onCompleted();
    }

    @Override
    public void handleExistenceCheck(HandleExistenceCheckArgs args, StreamObserver<HandleExistenceCheckReply> reply) {
        MountRegistry.Instance instance = instanceOrFail(reply);
        if (instance == null) {
            return;
        }
        HandleExistenceCheckReply.Builder out = HandleExistenceCheckReply.newBuilder();
        try {
            instance.backend().exists(Translation.request(args.getRequest())).ifPresent(exists ->
                    out.setCheckFound(true).setExists(exists));
        } catch (RuntimeException e) {
            out.setErr(failure(e, "existence check of " + args.getRequest().getPath()));
        }
        reply.onNext(out.build());
        reply.onCompleted();
    }

    @Override
    public void invalidateKey(InvalidateKeyArgs args, StreamObserver<Empty> reply) {
        mounts.get(mountId()).ifPresent(instance -> instance.backend().invalidate(args.getKey()));
        reply.onNext(Empty.getDefaultInstance());
        reply.onCompleted();
    }

    @Override
    public void cleanup(Empty request, StreamObserver<Empty> reply) {
        String id = mountId();
        try {
            mounts.remove(id);
        } catch (RuntimeException e) {
            LOG.warn("mount cleanup failed", "multiplex_id", id, "error", e);
        }
        reply.onNext(Empty.getDefaultInstance());
        reply.onCompleted();
    }

    private <T> MountRegistry.Instance instanceOrFail(StreamObserver<T> reply) {
        MountRegistry.Instance instance = mounts.get(mountId()).orElse(null);
        if (instance == null) {
            // The server answers this by setting the mount up again (e.g. after we were restarted).
            reply.onError(Status.FAILED_PRECONDITION
                    .withDescription("no mount with multiplex id \"" + mountId() + "\" in this plugin process")
                    .asRuntimeException());
        }
        return instance;
    }

    /** The ProtoError for a failure; internal faults are logged in full and described only vaguely. */
    private static ProtoError failure(RuntimeException e, String what) {
        return switch (e) {
            case VaultException v -> Translation.error(v);
            case JsonException j -> Translation.protoError(Translation.ERR_CODED, "invalid JSON: " + j.getMessage(), 400);
            // The server's own text, verbatim: it recognises e.g. "cannot write to readonly storage".
            case StorageException s -> Translation.protoError(Translation.ERR_UNKNOWN, s.getMessage(), 0);
            default -> {
                LOG.error("internal error", "during", what, "error", e);
                yield Translation.protoError(Translation.ERR_INTERNAL,
                        "internal error in the herald plugin; the server log has the details", 0);
            }
        };
    }
}
