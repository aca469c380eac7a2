package dev.herald.engine;

import dev.herald.sdk.Backend;
import dev.herald.sdk.Operation;
import dev.herald.sdk.Request;
import dev.herald.sdk.Response;
import dev.herald.sdk.SpecialPaths;
import dev.herald.sdk.Storage;
import dev.herald.sdk.StorageException;
import dev.herald.sdk.SystemView;
import dev.herald.sdk.VaultException;
import dev.herald.sdk.json.Json;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The storage layout a mount's entries are in, recorded in the {@value #KEY} entry: the downgrade
 * guard. A plugin version that writes a layout its predecessors cannot read raises {@link #CURRENT};
 * an older plugin put back on the mount then finds a higher number than it knows and refuses every
 * request (help aside), naming the version that wrote it, instead of misreading or overwriting the
 * newer entries. A mount without the entry holds a layout this version reads (it predates the guard).
 */
final class StorageLayout {
    static final String KEY = "layout";
    /**
     * 2: instance entries carry the stamp, service heads only a lower bound (docs/storage.md).
     * 3: the mount's log (log/, signer/log-keys); a version without it would change services
     * without logging them.
     * 4: acknowledged rotation (docs/design-ack.md): overlaps in instance entries, consumers/,
     * rotations/, signer/ack-key; a version without it would end awaited rotations by their
     * computed expiry with no rotation_end, and never tidy consumer entries.
     */
    static final int CURRENT = 4;

    /** What {@value #KEY} holds: the layout number, and the plugin version that first wrote it. */
    record Marker(int layout, String writtenBy) {
        byte[] encode() {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("layout", layout);
            map.put("written_by", writtenBy);
            return Json.write(map).getBytes(StandardCharsets.UTF_8);
        }

        static Marker decode(byte[] bytes) {
            Map<String, Object> stored = Json.parseObject(new String(bytes, StandardCharsets.UTF_8));
            int layout = stored.get("layout") instanceof Number n ? n.intValue() : Integer.MAX_VALUE;
            String writtenBy = stored.get("written_by") instanceof String s && !s.isEmpty() ? s : "an unknown version";
            return new Marker(layout, writtenBy);
        }
    }

    private final Storage storage;
    private final SystemView system;
    private final String pluginVersion;
    /** Null until the entry has been read (again after an invalidation); else the refusal, or "" when fine. */
    private volatile String refusal;

    StorageLayout(Storage storage, SystemView system, String pluginVersion) {
        this.storage = storage;
        this.system = system;
        this.pluginVersion = pluginVersion.isEmpty() ? "an unversioned build" : pluginVersion;
    }

    /**
     * At mount setup on the active node: records this version's layout when the mount has none or an
     * older one (this version may write its layout from now on), and keeps a newer one untouched.
     */
    void initialize() {
        try {
            Optional<Marker> stored = storage.get(KEY).map(Marker::decode);
            if (!system.standby() && (stored.isEmpty() || stored.get().layout() < CURRENT)) {
                storage.put(KEY, new Marker(CURRENT, pluginVersion).encode());
                stored = Optional.of(new Marker(CURRENT, pluginVersion));
            }
            refusal = refusalFor(stored);
        } catch (StorageException e) {
            // Storage unavailable at setup: the first request reads the marker (the next setup writes it).
            refusal = null;
        }
    }

    /** @throws VaultException 409 when the mount's storage is in a layout newer than this version reads */
    void check() {
        String known = refusal;
        if (known == null) {
            known = refusalFor(storage.get(KEY).map(Marker::decode));
            refusal = known;
        }
        if (!known.isEmpty()) {
            throw VaultException.conflict(known);
        }
    }

    /** The server's word that {@code key} changed elsewhere: read the marker again when it is the one. */
    boolean invalidate(String key) {
        if (!key.equals(KEY)) {
            return false;
        }
        refusal = null;
        return true;
    }

    private String refusalFor(Optional<Marker> stored) {
        if (stored.isEmpty() || stored.get().layout() <= CURRENT) {
            return "";
        }
        Marker marker = stored.get();
        return "this mount's storage is in Herald's layout " + marker.layout() + ", written by " + marker.writtenBy()
                + "; this plugin (" + pluginVersion + ") reads layouts up to " + CURRENT
                + ", so it serves nothing here rather than misread or overwrite the data: run " + marker.writtenBy()
                + " or newer on this mount (secrets tune -plugin-version=" + marker.writtenBy()
                + " <mount>, then plugin reload)";
    }

    /** {@code backend} behind the guard: every request but help is checked first. */
    Backend guard(Backend backend) {
        return new Backend() {
            @Override
            public Response handle(Request request) {
                if (request.operation() != Operation.HELP) {
                    check();
                }
                return backend.handle(request);
            }

            @Override
            public Optional<Boolean> exists(Request request) {
                return backend.exists(request);
            }

            @Override
            public SpecialPaths specialPaths() {
                return backend.specialPaths();
            }

            @Override
            public void initialize() {
                StorageLayout.this.initialize();
                if (refusal == null) {
                    backend.initialize(); // never on storage of a layout this version does not read
                }
            }

            @Override
            public void invalidate(String key) {
                if (!StorageLayout.this.invalidate(key)) {
                    backend.invalidate(key);
                }
            }

            @Override
            public void cleanup() {
                backend.cleanup();
            }
        };
    }
}
