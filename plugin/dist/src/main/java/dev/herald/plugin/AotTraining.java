package dev.herald.plugin;

import dev.herald.bridge.HostSimulator;
import dev.herald.engine.HeraldBackend;

/**
 * The training run of the packaged plugin's ahead-of-time cache (scripts/package.sh runs it with
 * {@code -XX:AOTCacheOutput}). The cache holds the classes, linkage and profiles this run used, so
 * the run must do what a real start does: generate the TLS identity, listen and hand-shake, accept
 * the server's mutual-TLS connection, dial the broker back, set mounts up and answer requests.
 * {@link HostSimulator} plays the server's side of that over real sockets.
 */
public final class AotTraining {
    private AotTraining() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        String version = BuildVersion.read();
        try (HostSimulator host = HostSimulator.start(HeraldBackend.factory(version), version)) {
            require(host.multiplexingSupported(), "multiplexing");
            for (String mount : new String[] {"training-a", "training-b"}) {
                String err = host.mount(mount);
                require(err.isEmpty(), "setup: " + err);
            }
            for (int i = 0; i < rounds; i++) {
                String mount = i % 2 == 0 ? "training-a" : "training-b";
                host.request(mount, "read", "config", "null");
                host.existenceCheck(mount, "config", "{}");
                host.request(mount, "update", "config", "{\"default_ttl\":\"" + (1 + i % 23) + "h\",\"record_ttl\":120}");
                host.request(mount, "update", "config", "{\"default_ttl\":\"abc\"}");
                host.request(mount, "read", "nope", "null");
                if (i % 50 == 0) {
                    host.request(mount, "help", "", "{\"requestResponsePrefix\":\"herald\"}");
                    host.request(mount, "help", "config", "{}");
                }
            }
            host.unmount("training-b");
        }
        // Exit explicitly: the cache is written at exit, and lingering event-loop threads must not delay it.
        System.exit(0);
    }

    private static void require(boolean condition, String what) {
        if (!condition) {
            throw new IllegalStateException("AOT training failed: " + what);
        }
    }
}
