package dev.herald.bridge;

import com.google.protobuf.ByteString;
import dev.herald.proto.pb.StorageDeleteArgs;
import dev.herald.proto.pb.StorageEntry;
import dev.herald.proto.pb.StorageGetArgs;
import dev.herald.proto.pb.StorageGetReply;
import dev.herald.proto.pb.StorageGrpc;
import dev.herald.proto.pb.StorageListArgs;
import dev.herald.proto.pb.StorageListReply;
import dev.herald.proto.pb.StoragePutArgs;
import dev.herald.proto.pb.StoragePutReply;
import dev.herald.sdk.Storage;
import dev.herald.sdk.StorageException;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.UncheckedExecutionException;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The mount's storage, through the server's brokered pb.Storage service. Calls made while handling
 * a request inherit its deadline and cancellation (gRPC context propagation).
 */
final class GrpcStorage implements Storage {
    private final StorageGrpc.StorageBlockingStub stub;
    private final StorageGrpc.StorageFutureStub concurrent;

    GrpcStorage(ManagedChannel channel) {
        this.stub = StorageGrpc.newBlockingStub(channel);
        this.concurrent = StorageGrpc.newFutureStub(channel);
    }

    @Override
    public Optional<byte[]> get(String key) {
        StorageGetReply reply = call(() -> stub.get(StorageGetArgs.newBuilder().setKey(key).build()));
        failIfError(reply.getErr());
        return reply.hasEntry() ? Optional.of(reply.getEntry().getValue().toByteArray()) : Optional.empty();
    }

    @Override
    public void put(String key, byte[] value) {
        StorageEntry entry = StorageEntry.newBuilder().setKey(key).setValue(ByteString.copyFrom(value)).build();
        failIfError(call(() -> stub.put(StoragePutArgs.newBuilder().setEntry(entry).build())).getErr());
    }

    /** Every put started at once (each inherits the caller's deadline and cancellation), then each awaited. */
    @Override
    public void putAll(Map<String, byte[]> entries) {
        List<ListenableFuture<StoragePutReply>> started = new ArrayList<>(entries.size());
        entries.forEach((key, value) -> started.add(concurrent.put(StoragePutArgs.newBuilder()
                .setEntry(StorageEntry.newBuilder().setKey(key).setValue(ByteString.copyFrom(value))).build())));
        StorageException failed = null;
        for (ListenableFuture<StoragePutReply> put : started) {
            try {
                StoragePutReply reply = Futures.getUnchecked(put);
                if (!reply.getErr().isEmpty() && failed == null) {
                    failed = new StorageException(reply.getErr());
                }
            } catch (UncheckedExecutionException e) {
                if (failed == null) {
                    failed = e.getCause() instanceof StatusRuntimeException status ? failure(status)
                            : new StorageException("storage call to the server failed: " + e.getCause());
                }
            }
        }
        if (failed != null) {
            throw failed; // only after every put has ended: none is still on its way when the caller reads back
        }
    }

    @Override
    public void delete(String key) {
        failIfError(call(() -> stub.delete(StorageDeleteArgs.newBuilder().setKey(key).build())).getErr());
    }

    @Override
    public List<String> list(String prefix) {
        StorageListReply reply = call(() -> stub.list(StorageListArgs.newBuilder().setPrefix(prefix).build()));
        failIfError(reply.getErr());
        return List.copyOf(reply.getKeysList());
    }

    /** The server's own words, unchanged: it recognises some of them (e.g. writes on a standby). */
    private static void failIfError(String err) {
        if (!err.isEmpty()) {
            throw new StorageException(err);
        }
    }

    private static <T> T call(Supplier<T> rpc) {
        try {
            return rpc.get();
        } catch (StatusRuntimeException e) {
            throw failure(e);
        }
    }

    private static StorageException failure(StatusRuntimeException e) {
        return new StorageException("storage call to the server failed: " + e.getStatus().getCode()
                + (e.getStatus().getDescription() == null ? "" : ": " + e.getStatus().getDescription()), e);
    }
}
