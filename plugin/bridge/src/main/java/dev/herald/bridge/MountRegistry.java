package dev.herald.bridge;

import dev.herald.sdk.Backend;
import io.grpc.ManagedChannel;

import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;

/**
 * The mounts this process serves, by the multiplex id the server attaches to every backend call.
 * Each mount has its own backend and its own brokered channel back to the server.
 */
final class MountRegistry {
    /** One mount: its backend and the channel its storage and system view use. */
    record Instance(Backend backend, ManagedChannel channel) {
        void close() {
            try {
                backend.cleanup();
            } finally {
                channel.shutdown();
                try {
                    if (!channel.awaitTermination(1, TimeUnit.SECONDS)) {
                        channel.shutdownNow();
                    }
                } catch (InterruptedException e) {
                    channel.shutdownNow();
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    private final ConcurrentMap<String, Instance> instances = new ConcurrentHashMap<>();

    /** Files {@code instance} under {@code id}, closing any instance the id had before (a re-Setup). */
    void put(String id, Instance instance) {
        Instance previous = instances.put(id, instance);
        if (previous != null) {
            previous.close();
        }
    }

    Optional<Instance> get(String id) {
        return Optional.ofNullable(instances.get(id));
    }

    /** Removes and closes the instance of {@code id}; true if there was one. */
    boolean remove(String id) {
        Instance instance = instances.remove(id);
        if (instance == null) {
            return false;
        }
        instance.close();
        return true;
    }

    int size() {
        return instances.size();
    }
}
