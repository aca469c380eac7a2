package dev.herald.bridge;

import com.google.protobuf.ByteString;
import dev.herald.proto.goplugin.ConnInfo;
import dev.herald.proto.goplugin.GRPCBrokerGrpc;
import dev.herald.proto.goplugin.GRPCControllerGrpc;
import dev.herald.proto.multiplexing.MultiplexingSupportRequest;
import dev.herald.proto.multiplexing.PluginMultiplexingGrpc;
import dev.herald.proto.pb.BackendGrpc;
import dev.herald.proto.pb.Empty;
import dev.herald.proto.pb.HandleExistenceCheckArgs;
import dev.herald.proto.pb.HandleExistenceCheckReply;
import dev.herald.proto.pb.HandleRequestArgs;
import dev.herald.proto.pb.HandleRequestReply;
import dev.herald.proto.pb.InitializeArgs;
import dev.herald.proto.pb.Request;
import dev.herald.proto.pb.SetupArgs;
import dev.herald.proto.pb.StorageDeleteArgs;
import dev.herald.proto.pb.StorageDeleteReply;
import dev.herald.proto.pb.StorageEntry;
import dev.herald.proto.pb.StorageGetArgs;
import dev.herald.proto.pb.StorageGetReply;
import dev.herald.proto.pb.StorageGrpc;
import dev.herald.proto.pb.StorageListArgs;
import dev.herald.proto.pb.StorageListReply;
import dev.herald.proto.pb.StoragePutArgs;
import dev.herald.proto.pb.StoragePutReply;
import dev.herald.proto.pb.SystemViewGrpc;
import dev.herald.proto.pb.TTLReply;
import dev.herald.sdk.BackendFactory;
import dev.herald.sdk.testing.InMemoryStorage;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Plays the Vault/OpenBao side of the plugin protocol inside one JVM, over the same unix sockets and
 * mutual TLS a real server uses: it starts a {@link PluginServer}, reads its handshake, dials it,
 * serves a brokered in-memory storage and system view, and sets mounts up.
 *
 * <p>For the start-up training run of a packaged plugin (which needs real traffic to learn from)
 * and for unit tests of the runtime. It is no substitute for the real servers, which integration
 * tests use. Its public methods speak strings and JSON only; the runtime's wire types stay inside.
 */
public final class HostSimulator implements AutoCloseable {
    private static final Metadata.Key<String> MULTIPLEX_ID = Metadata.Key.of("multiplex_id", Metadata.ASCII_STRING_MARSHALLER);

    private final PluginServer plugin;
    private final UnixTransport transport;
    private final ManagedChannel channel;
    private final StreamObserver<ConnInfo> brokerStream;
    private final Path brokerDirectory;
    private final List<Server> brokerServers = new ArrayList<>();
    private final AtomicInteger nextBrokerId = new AtomicInteger();
    /** Every mount's storage, by multiplex id; visible to tests. */
    private final Map<String, InMemoryStorage> storages = new java.util.concurrent.ConcurrentHashMap<>();

    private HostSimulator(PluginServer plugin, UnixTransport transport, ManagedChannel channel,
                          StreamObserver<ConnInfo> brokerStream, Path brokerDirectory) {
        this.plugin = plugin;
        this.transport = transport;
        this.channel = channel;
        this.brokerStream = brokerStream;
        this.brokerDirectory = brokerDirectory;
    }

    /**
     * Starts a plugin in this JVM and connects to it as the server would.
     *
     * @param factory the plugin's backends
     * @param version the version the plugin reports ("" for none)
     * @return the connected simulator; close it to stop the plugin
     * @throws IOException              if a socket cannot be made
     * @throws GeneralSecurityException if the TLS identities cannot be made
     */
    public static HostSimulator start(BackendFactory factory, String version) throws IOException, GeneralSecurityException {
        JulToHclog.install();
        TlsIdentity host = TlsIdentity.generate();
        String pem = "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(host.certificate().getEncoded())
                + "\n-----END CERTIFICATE-----\n";
        Path directory = Files.createTempDirectory("herald-host");
        PluginServer plugin = PluginServer.start(Map.of(
                PluginEnvironment.MAGIC_COOKIE_KEY, PluginEnvironment.MAGIC_COOKIE_VALUE,
                "PLUGIN_PROTOCOL_VERSIONS", "5",
                "PLUGIN_CLIENT_CERT", pem,
                "PLUGIN_UNIX_SOCKET_DIR", directory.toString()), factory, version, null);
        String[] handshake = plugin.handshake().split("\\|");
        X509Certificate pluginCertificate = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(Base64.getDecoder().decode(handshake[5])));
        UnixTransport transport = UnixTransport.forIdentity(host, pluginCertificate);
        ManagedChannel channel = transport.dial(handshake[3]);
        StreamObserver<ConnInfo> brokerStream = GRPCBrokerGrpc.newStub(channel).startStream(new StreamObserver<>() {
            @Override
            public void onNext(ConnInfo value) {
            }

            @Override
            public void onError(Throwable t) {
            }

            @Override
            public void onCompleted() {
            }
        });
        return new HostSimulator(plugin, transport, channel, brokerStream, directory);
    }

    /** The handshake line the plugin printed. */
    String handshake() {
        return plugin.handshake();
    }

    /** {@return whether the plugin says it serves several mounts in one process, as the server asks first} */
    public boolean multiplexingSupported() {
        return PluginMultiplexingGrpc.newBlockingStub(channel)
                .multiplexingSupport(MultiplexingSupportRequest.getDefaultInstance()).getSupported();
    }

    /**
     * Sets a mount up, as enabling a secrets engine does: Setup, then Type, SpecialPaths and Initialize.
     *
     * @param multiplexId the mount's id in this process
     * @return Setup's error text, "" if the mount was set up
     * @throws IOException if the mount's broker socket cannot be made
     */
    public String mount(String multiplexId) throws IOException {
        int brokerId = nextBrokerId.incrementAndGet();
        InMemoryStorage storage = new InMemoryStorage();
        storages.put(multiplexId, storage);
        Path socket = brokerDirectory.resolve("broker-" + brokerId + ".sock");
        ServerInterceptor none = new ServerInterceptor() {
            @Override
            public <Q, R> io.grpc.ServerCall.Listener<Q> interceptCall(io.grpc.ServerCall<Q, R> call, Metadata headers,
                                                                     io.grpc.ServerCallHandler<Q, R> next) {
                return next.startCall(call, headers);
            }
        };
        brokerServers.add(transport.serve(socket.toString(), List.of(
                ServerInterceptors.intercept(new MemoryStorage(storage), none),
                ServerInterceptors.intercept(new FixedSystemView(), none)), none, Executors.newVirtualThreadPerTaskExecutor(),
                UnixTransport.MAX_REPLY_BYTES)); // the server's storage takes entries of any size
        brokerStream.onNext(ConnInfo.newBuilder().setServiceId(brokerId).setNetwork("unix").setAddress(socket.toString()).build());
        String err = backend(multiplexId).setup(SetupArgs.newBuilder().setBrokerId(brokerId)
                .putConfig("plugin_name", "herald").setBackendUUID("uuid-" + multiplexId).build()).getErr();
        if (err.isEmpty()) {
            backend(multiplexId).type(Empty.getDefaultInstance());
            backend(multiplexId).specialPaths(Empty.getDefaultInstance());
            backend(multiplexId).initialize(InitializeArgs.getDefaultInstance());
        }
        return err;
    }

    /**
     * The storage of a mount, for a test to look at or to fill.
     *
     * @param multiplexId a mount set up with {@link #mount}
     * @return its storage
     */
    public InMemoryStorage storage(String multiplexId) {
        return storages.get(multiplexId);
    }

    /**
     * Sends one request to a mount, as the server does for an HTTP request.
     *
     * @param multiplexId a mount set up with {@link #mount}
     * @param operation   the operation's wire name, e.g. "read" or "update"
     * @param path        the path relative to the mount
     * @param jsonData    the request's data as JSON ("null" for none)
     * @return the error the plugin answered with, "" for none
     */
    public String request(String multiplexId, String operation, String path, String jsonData) {
        HandleRequestReply reply = send(multiplexId, operation, path, jsonData);
        return reply.hasErr() ? reply.getErr().getErrMsg() : "";
    }

    /** {@link #request}, with the whole reply. */
    HandleRequestReply send(String multiplexId, String operation, String path, String jsonData) {
        return backend(multiplexId).handleRequest(HandleRequestArgs.newBuilder().setRequest(
                wireRequest(operation, path, jsonData)).build());
    }

    /**
     * Sends the existence check the server makes before a write.
     *
     * @param multiplexId a mount set up with {@link #mount}
     * @param path        the path relative to the mount
     * @param jsonData    the write's data as JSON
     * @return whether the thing exists (false also when the path has no existence check)
     */
    public boolean existenceCheck(String multiplexId, String path, String jsonData) {
        return sendExistenceCheck(multiplexId, path, jsonData).getExists();
    }

    /** {@link #existenceCheck}, with the whole reply. */
    HandleExistenceCheckReply sendExistenceCheck(String multiplexId, String path, String jsonData) {
        return backend(multiplexId).handleExistenceCheck(HandleExistenceCheckArgs.newBuilder().setRequest(
                wireRequest("update", path, jsonData)).build());
    }

    /**
     * Tells a mount that a storage key changed elsewhere, as a standby or replica does.
     *
     * @param multiplexId a mount set up with {@link #mount}
     * @param key         the storage key
     */
    public void invalidate(String multiplexId, String key) {
        backend(multiplexId).invalidateKey(dev.herald.proto.pb.InvalidateKeyArgs.newBuilder().setKey(key).build());
    }

    /**
     * The plugin's health for a service name, as go-plugin reports it.
     *
     * @param service the service name ("" or "plugin")
     * @return the status's name, e.g. "SERVING"
     */
    public String health(String service) {
        return dev.herald.proto.health.HealthGrpc.newBlockingStub(channel)
                .check(dev.herald.proto.health.HealthCheckRequest.newBuilder().setService(service).build())
                .getStatus().name();
    }

    /**
     * Tears a mount down, as disabling it does.
     *
     * @param multiplexId a mount set up with {@link #mount}
     */
    public void unmount(String multiplexId) {
        backend(multiplexId).cleanup(Empty.getDefaultInstance());
    }

    /** {@return how many mounts the plugin serves now} */
    public int mountCount() {
        return plugin.mountCount();
    }

    private static Request wireRequest(String operation, String path, String jsonData) {
        return Request.newBuilder().setId("sim").setOperation(operation).setPath(path).setData(jsonData)
                .setMountPoint("herald/").setMountType("herald").setMountAccessor("herald_sim").build();
    }

    private BackendGrpc.BackendBlockingStub backend(String multiplexId) {
        Metadata headers = new Metadata();
        headers.put(MULTIPLEX_ID, multiplexId);
        return BackendGrpc.newBlockingStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }

    /** Asks the plugin to shut down, as the server does when the last mount goes away. */
    public void shutdownPlugin() {
        GRPCControllerGrpc.newBlockingStub(channel).shutdown(dev.herald.proto.goplugin.Empty.getDefaultInstance());
    }

    /** Stops the plugin and removes its sockets. */
    @Override
    public void close() {
        channel.shutdownNow();
        brokerServers.forEach(Server::shutdownNow);
        plugin.close();
        transport.close();
        try (var files = Files.list(brokerDirectory)) {
            for (Path file : files.toList()) {
                Files.deleteIfExists(file);
            }
            Files.deleteIfExists(brokerDirectory);
        } catch (IOException e) {
            // a temp directory left behind is harmless
        }
    }

    /** pb.Storage over the sdk's in-memory storage, which lists one level like the servers do. */
    private static final class MemoryStorage extends StorageGrpc.StorageImplBase {
        private final InMemoryStorage entries;

        MemoryStorage(InMemoryStorage entries) {
            this.entries = entries;
        }

        @Override
        public void get(StorageGetArgs args, StreamObserver<StorageGetReply> reply) {
            StorageGetReply.Builder out = StorageGetReply.newBuilder();
            entries.get(args.getKey()).ifPresent(value ->
                    out.setEntry(StorageEntry.newBuilder().setKey(args.getKey()).setValue(ByteString.copyFrom(value))));
            reply.onNext(out.build());
            reply.onCompleted();
        }

        @Override
        public void put(StoragePutArgs args, StreamObserver<StoragePutReply> reply) {
            entries.put(args.getEntry().getKey(), args.getEntry().getValue().toByteArray());
            reply.onNext(StoragePutReply.getDefaultInstance());
            reply.onCompleted();
        }

        @Override
        public void delete(StorageDeleteArgs args, StreamObserver<StorageDeleteReply> reply) {
            entries.delete(args.getKey());
            reply.onNext(StorageDeleteReply.getDefaultInstance());
            reply.onCompleted();
        }

        @Override
        public void list(StorageListArgs args, StreamObserver<StorageListReply> reply) {
            reply.onNext(StorageListReply.newBuilder().addAllKeys(entries.list(args.getPrefix())).build());
            reply.onCompleted();
        }
    }

    /** pb.SystemView with a dev server's defaults. */
    private static final class FixedSystemView extends SystemViewGrpc.SystemViewImplBase {
        @Override
        public void defaultLeaseTTL(Empty request, StreamObserver<TTLReply> reply) {
            reply.onNext(TTLReply.newBuilder().setTTL(java.time.Duration.ofDays(32).toNanos()).build());
            reply.onCompleted();
        }

        @Override
        public void maxLeaseTTL(Empty request, StreamObserver<TTLReply> reply) {
            reply.onNext(TTLReply.newBuilder().setTTL(java.time.Duration.ofDays(32).toNanos()).build());
            reply.onCompleted();
        }

        /** A server without HA or replication, as a dev server reports it. */
        @Override
        public void replicationState(Empty request, StreamObserver<dev.herald.proto.pb.ReplicationStateReply> reply) {
            reply.onNext(dev.herald.proto.pb.ReplicationStateReply.newBuilder().setState(STANDALONE_STATE).build());
            reply.onCompleted();
        }
    }

    /** ReplicationState of a server without HA: performance and DR replication disabled. */
    static final int STANDALONE_STATE = (1 << 12) | (1 << 13);
}
