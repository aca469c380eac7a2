package dev.herald.client.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.herald.tlog.Appended;
import dev.herald.tlog.Checkpoint;
import dev.herald.tlog.Ed25519Keys;
import dev.herald.tlog.Hash;
import dev.herald.tlog.Jcs;
import dev.herald.tlog.NoteSigner;
import dev.herald.tlog.NoteVerifier;
import dev.herald.tlog.Proofs;
import dev.herald.tlog.SignedNote;
import dev.herald.tlog.TileData;
import dev.herald.tlog.TileHashSource;
import dev.herald.tlog.TileId;
import dev.herald.tlog.TlogException;
import dev.herald.tlog.TlogProof;
import dev.herald.tlog.TreeTail;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A static Herald log for the client's tests, built with the tlog module: leaves as design-log
 * §1.2 makes them (JCS), tiles and bundles from a {@link TreeTail}, a checkpoint signed by a
 * generated Ed25519 log key, served over HTTP at {@code /v1/<mount>/log/...} exactly as §5 says
 * (raw bodies: {@code log/key}, {@code log/checkpoint}, {@code log/tile/...},
 * {@code log/proof/consistency?from=&to=}, {@code log/proof/inclusion?index=&size=}). A test appends events, {@link #publish() publishes} the
 * tree as it is, and can serve a fork (another log signed by the same key) or override any body.
 */
public final class LogFixture implements AutoCloseable {
    public static final String ORIGIN = "vault.example.com/herald/log";

    private final KeyPair key;
    private final NoteSigner signer;
    private final List<byte[]> leaves = new ArrayList<>();
    private final Map<String, Long> historyIndex = new HashMap<>();
    private final Map<String, Long> seq = new HashMap<>();
    private final Map<String, byte[]> overrides = new ConcurrentHashMap<>();
    private final List<String> requested = java.util.Collections.synchronizedList(new ArrayList<>());
    /** The JSON bodies POSTed to {@code log/cosign}, in order (a witness's cosignatures). */
    private final List<String> posted = java.util.Collections.synchronizedList(new ArrayList<>());
    private volatile View served;
    private HttpServer server;
    private String mount = "herald";

    /** What is served: the tree of a size, its resources and its checkpoint. */
    public record View(long size, Map<TileId, byte[]> tiles, String checkpoint) {
    }

    public LogFixture() {
        this(Ed25519Keys.generate());
    }

    private LogFixture(KeyPair key) {
        this.key = key;
        this.signer = NoteSigner.ed25519(ORIGIN, key.getPrivate(), key.getPublic());
        this.served = view(List.of());
    }

    /** Another log with the same key and origin and no leaves: a fork once it has other ones. */
    public LogFixture sameKey() {
        return new LogFixture(key);
    }

    public NoteVerifier verifier() {
        return signer.verifier();
    }

    /** The vkey, as {@code log/key} serves it. */
    public String vkey() {
        return verifier().vkey();
    }

    // ---- events (design-log §1.2) ----

    /** A publish of {@code key} for {@code service}/{@code instance} by {@code entity}; returns its index. */
    public long publish(String service, String instance, long generation, PublicKey key, String entity) {
        return event("publish", service, instance, generation, key, entity);
    }

    public long rotate(String service, String instance, long generation, PublicKey key, String entity) {
        return event("rotate", service, instance, generation, key, entity);
    }

    public long leaseEnd(String service, String instance, long generation, String entity) {
        return event("lease_end", service, instance, generation, null, entity);
    }

    /** Appends a leaf of these exact members (JCS-encoded); returns its index. */
    public long append(Map<String, Object> members) {
        return appendBytes(Jcs.encode(members));
    }

    /** Appends these bytes as a leaf, canonical or not; returns its index. */
    public long appendBytes(byte[] leaf) {
        leaves.add(leaf.clone());
        return leaves.size() - 1;
    }

    /** The members of an event's leaf (the next one of the service). */
    public Map<String, Object> leaf(String type, String service, String instance, long generation, PublicKey key, String entity) {
        Map<String, Object> leaf = new LinkedHashMap<>();
        leaf.put("v", 1L);
        leaf.put("type", type);
        leaf.put("time", "2026-05-01T12:00:00Z");
        leaf.put("service", service);
        leaf.put("instance", instance);
        leaf.put("generation", generation);
        long index = historyIndex.merge(service, 1L, Long::sum) - 1;
        leaf.put("history_index", index);
        long next = seq.merge(service, 1L, Long::sum);
        leaf.put("seq", next);
        if (key != null) {
            leaf.put("fingerprint", "sha256:" + HexFormat.of().formatHex(sha256(key.getEncoded())));
            leaf.put("spki", Base64.getEncoder().encodeToString(key.getEncoded()));
        } else {
            leaf.put("fingerprint", "sha256:" + "0".repeat(64));
        }
        leaf.put("actor", Map.of("entity_id", entity, "alias_name", instance, "mount_accessor", "auth_jwt_1"));
        leaf.put("event", "sha256:" + HexFormat.of().formatHex(sha256((type + index).getBytes(StandardCharsets.UTF_8))));
        return leaf;
    }

    private long event(String type, String service, String instance, long generation, PublicKey key, String entity) {
        return append(leaf(type, service, instance, generation, key, entity));
    }

    public long size() {
        return leaves.size();
    }

    public byte[] leafBytes(long index) {
        return leaves.get((int) index).clone();
    }

    // ---- the tree and what is served ----

    /** Serves the tree as it is now (a checkpoint of its size). */
    public View publish() {
        served = view(leaves);
        overrides.clear();
        return served;
    }

    /** Serves {@code view} (e.g. a fork's). */
    public void serve(View view) {
        served = view;
    }

    public View served() {
        return served;
    }

    /** Replaces the body of {@code path} (below {@code log/}) until the next {@link #publish()}. */
    public void override(String path, byte[] body) {
        overrides.put(path, body.clone());
    }

    public void override(String path, String body) {
        override(path, body.getBytes(StandardCharsets.UTF_8));
    }

    /** A checkpoint note of {@code size} and {@code root} signed by the log key. */
    public String sign(long size, Hash root) {
        return SignedNote.sign(Checkpoint.of(ORIGIN, size, root).body(), signer).encode();
    }

    private View view(List<byte[]> all) {
        try {
            Appended appended = TreeTail.empty().append(all);
            Map<TileId, byte[]> full = new HashMap<>();
            for (TileData t : appended.fullTiles()) {
                full.put(t.id(), t.bytes());
            }
            for (TileData t : appended.fullBundles()) {
                full.put(t.id(), t.bytes());
            }
            Map<TileId, byte[]> tiles = new HashMap<>();
            for (TileId id : TileId.allOf(all.size())) {
                tiles.put(id, id.isFull() ? full.get(id) : appended.tail().read(id).orElseThrow());
            }
            return new View(all.size(), Map.copyOf(tiles), sign(all.size(), appended.root()));
        } catch (TlogException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The tlog-proof of leaf {@code index} under the served checkpoint, its leaf in {@code extra} (design-log §6.2). */
    public String inclusionProof(long index) {
        View view = served;
        try {
            List<Hash> proof = Proofs.inclusion(index, view.size(), hashes(view));
            return new TlogProof(Optional.of(leaves.get((int) index)), index, proof, view.checkpoint()).encode();
        } catch (TlogException e) {
            throw new IllegalStateException(e);
        }
    }

    private static TileHashSource hashes(View view) {
        return new TileHashSource(view.size(), id -> view.tiles().get(id));
    }

    // ---- HTTP ----

    /** Serves at {@code /v1/<mount>/log/} on a free loopback port; returns the address. */
    public String start(String mount) {
        this.mount = mount;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/v1/" + mount + "/log/", this::handle);
        // A witness's token (it posts to log/cosign): any token is one that never expires.
        server.createContext("/v1/auth/token/lookup-self", exchange -> {
            try (exchange) {
                byte[] self = "{\"data\":{\"ttl\":0}}".getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, self.length);
                exchange.getResponseBody().write(self);
            }
        });
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The answer to a path below {@code log/} with its query, or null for 404. */
    public byte[] answer(String path, Map<String, String> query) {
        byte[] override = overrides.get(path);
        if (override != null) {
            return override;
        }
        View view = served;
        switch (path) {
            case "key":
                return (vkey() + "\n").getBytes(StandardCharsets.UTF_8);
            case "checkpoint":
                return view.checkpoint().getBytes(StandardCharsets.UTF_8);
            case "proof/consistency":
                return consistency(view, query);
            case "proof/inclusion":
                return inclusion(view, query);
            default:
                break;
        }
        if (!path.startsWith("tile/")) {
            return null;
        }
        try {
            return view.tiles().get(TileId.parse(path));
        } catch (TlogException e) {
            return null;
        }
    }

    private byte[] inclusion(View view, Map<String, String> query) {
        try {
            long index = Long.parseLong(query.get("index")), size = Long.parseLong(query.get("size"));
            return size == view.size() && index >= 0 && index < size ? inclusionProof(index).getBytes(StandardCharsets.UTF_8) : null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static byte[] consistency(View view, Map<String, String> query) {
        try {
            long from = Long.parseLong(query.get("from")), to = Long.parseLong(query.get("to"));
            if (to != view.size() || from < 1 || from > to) {
                return null;
            }
            StringBuilder body = new StringBuilder();
            for (Hash h : Proofs.consistency(from, to, hashes(view))) {
                body.append(h.base64()).append('\n');
            }
            return body.toString().getBytes(StandardCharsets.UTF_8);
        } catch (RuntimeException | TlogException e) {
            return null;
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath().substring(("/v1/" + mount + "/log/").length());
            requested.add(path);
            Map<String, String> query = new HashMap<>();
            String raw = exchange.getRequestURI().getRawQuery();
            if (raw != null) {
                for (String parameter : raw.split("&")) {
                    int eq = parameter.indexOf('=');
                    query.put(parameter.substring(0, Math.max(eq, 0)), parameter.substring(eq + 1));
                }
            }
            if (exchange.getRequestMethod().equals("POST") && path.equals("cosign")) {
                posted.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
                byte[] ok = "{\"data\":{\"stored\":true}}".getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, ok.length);
                exchange.getResponseBody().write(ok);
                return;
            }
            byte[] body = exchange.getRequestMethod().equals("GET") ? answer(path, query) : null;
            if (body == null) {
                byte[] error = "{\"errors\":[\"not found\"]}".getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(404, error.length);
                exchange.getResponseBody().write(error);
                return;
            }
            boolean text = !path.startsWith("tile/");
            exchange.getResponseHeaders().set("Content-Type", text ? "text/plain; charset=utf-8" : "application/octet-stream");
            exchange.sendResponseHeaders(200, body.length == 0 ? -1 : body.length);
            if (body.length > 0) {
                exchange.getResponseBody().write(body);
            }
        }
    }

    /** The paths below {@code log/} asked for over HTTP since the last call, and forgets them. */
    public List<String> requested() {
        synchronized (requested) {
            List<String> out = List.copyOf(requested);
            requested.clear();
            return out;
        }
    }

    /**
     * Answers {@code GET <mount>/log/<path>} of a stub server from this log, for each path (e.g.
     * {@code key}, {@code proof/consistency}): raw text, or 404 where it has none.
     */
    public void routeOn(StubVault vault, String mount, String... paths) {
        for (String path : paths) {
            vault.on("GET", mount + "/log/" + path, request -> {
                byte[] body = answer(path, request.query());
                return body == null ? StubVault.Answer.errors(404, "not found")
                        : new StubVault.Answer(200, new String(body, StandardCharsets.UTF_8));
            });
        }
    }

    /** The JSON bodies witnesses POSTed to {@code log/cosign} so far. */
    public List<String> posted() {
        synchronized (posted) {
            return List.copyOf(posted);
        }
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop(0);
        }
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
