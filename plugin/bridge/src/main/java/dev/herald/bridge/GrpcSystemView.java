package dev.herald.bridge;

import dev.herald.proto.logical.Alias;
import dev.herald.proto.pb.EntityInfoArgs;
import dev.herald.proto.pb.EntityInfoReply;
import dev.herald.proto.pb.Empty;
import dev.herald.proto.pb.SystemViewGrpc;
import dev.herald.sdk.Entity;
import dev.herald.sdk.StorageException;
import dev.herald.sdk.SystemView;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;

import java.time.Duration;
import java.util.Optional;

/** The mount's system view, through the server's brokered pb.SystemView service. */
final class GrpcSystemView implements SystemView {
    private static final Empty EMPTY = Empty.getDefaultInstance();

    private final SystemViewGrpc.SystemViewBlockingStub stub;

    GrpcSystemView(ManagedChannel channel) {
        this.stub = SystemViewGrpc.newBlockingStub(channel);
    }

    @Override
    public Duration defaultLeaseTtl() {
        return Duration.ofNanos(guard(() -> stub.defaultLeaseTTL(EMPTY).getTTL()));
    }

    @Override
    public Duration maxLeaseTtl() {
        return Duration.ofNanos(guard(() -> stub.maxLeaseTTL(EMPTY).getTTL()));
    }

    @Override
    public boolean tainted() {
        return guard(() -> stub.tainted(EMPTY).getTainted());
    }

    @Override
    public boolean localMount() {
        return guard(() -> stub.localMount(EMPTY).getLocal());
    }

    @Override
    public Optional<Entity> entity(String entityId) {
        EntityInfoReply reply = guard(() -> stub.entityInfo(EntityInfoArgs.newBuilder().setEntityId(entityId).build()));
        if (!reply.getErr().isEmpty()) {
            throw new StorageException(reply.getErr());
        }
        if (!reply.hasEntity()) {
            return Optional.empty();
        }
        dev.herald.proto.logical.Entity entity = reply.getEntity();
        return Optional.of(new Entity(entity.getID(), entity.getName(), entity.getMetadataMap(),
                entity.getAliasesList().stream().map(GrpcSystemView::alias).toList(), entity.getDisabled()));
    }

    private static Entity.Alias alias(Alias alias) {
        return new Entity.Alias(alias.getID(), alias.getMountAccessor(), alias.getMountType(), alias.getName(),
                alias.getMetadataMap());
    }

    /** ReplicationState's bit for a standby that serves requests itself (the Go sdk's ReplicationPerformanceStandby). */
    static final int PERFORMANCE_STANDBY = 1 << 14;

    @Override
    public boolean standby() {
        return (guard(() -> stub.replicationState(EMPTY).getState()) & PERFORMANCE_STANDBY) != 0;
    }

    @Override
    public String serverVersion() {
        return guard(() -> stub.pluginEnv(EMPTY).getPluginEnvironment().getVaultVersion());
    }

    private static <T> T guard(java.util.function.Supplier<T> rpc) {
        try {
            return rpc.get();
        } catch (StatusRuntimeException e) {
            throw new StorageException("system view call to the server failed: " + e.getStatus().getCode(), e);
        }
    }
}
