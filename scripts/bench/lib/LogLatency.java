// Publish to verified inclusion proof (docs/design-log.md §10.4): one publisher that, for each
// publish, times from sending it to having verified that its leaf is in the log, the way a publisher
// or a client would check it:
//   1. POST <mount>/publish/<service>/<instance> (a fresh key); the answer carries
//      log: {index, checkpoint} (the publish is acknowledged only once its leaf is in that checkpoint);
//   2. GET <mount>/log/proof/inclusion?index=I&size=S (no token: the log's reads are public);
//   3. the answer's checkpoint opened with the log key (of <mount>/log/key, read once before the
//      first publish: a client has it pinned), the proof's checkpoint the same signed text, its leaf
//      (extra) a publish of this service, instance and key (the answer's fingerprint is the SHA-256
//      of the leaf's spki), and the inclusion proof from that leaf at I giving the checkpoint's root.
// One request at a time, on one HTTP/1.1 connection (JDK HttpClient); the load, if any, is made
// by the caller beside it. Run with the JDK 25 source launcher on the client jar (tlog, Leaf, Json):
//
//   java -cp target/client/herald-client.jar scripts/bench/lib/LogLatency.java --addr http://127.0.0.1:8200 \
//        --token T --mount herald --bodies FILE --service S [--seconds 10] [--count N] [--warmup 20]
//        [--ready FILE --go FILE]
//
// Line k of FILE (PublishBodies.java) is published as instance i<k> of service S. The first --warmup
// publishes are not counted, then it publishes for --seconds. With --ready and --go,
// it creates READY after the warm-up and counts from when GO exists: the caller starts its load in
// between, once this JVM is up (which on a busy machine takes seconds). Prints one "RESULT key=value ..." line on stdout (milliseconds): n, the
// p50/p99/max of the whole (publish to verified proof), of the publish alone and of the proof's
// fetch and check, the mean bytes of the leaves, and when the counted publishes began and ended
// (first_ms, last_ms: milliseconds since the epoch, for a caller that runs a load beside it).
import dev.herald.client.log.Leaf;
import dev.herald.sdk.json.Json;
import dev.herald.tlog.Checkpoint;
import dev.herald.tlog.NoteVerifier;
import dev.herald.tlog.Proofs;
import dev.herald.tlog.SignedCheckpoint;
import dev.herald.tlog.SignedNote;
import dev.herald.tlog.TlogProof;
import dev.herald.tlog.TreeHash;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;

public class LogLatency {
    public static void main(String[] args) throws Exception {
        String addr = null, token = null, mount = "herald", bodiesFile = null, service = null;
        double seconds = 10;
        int count = Integer.MAX_VALUE, warmup = 20;
        Path ready = null, go = null;
        for (int i = 0; i < args.length; i++) {
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--addr" -> addr = v;
                case "--token" -> token = v;
                case "--mount" -> mount = v;
                case "--bodies" -> bodiesFile = v;
                case "--service" -> service = v;
                case "--seconds" -> seconds = Double.parseDouble(v);
                case "--count" -> count = Integer.parseInt(v);
                case "--warmup" -> warmup = Integer.parseInt(v);
                case "--ready" -> ready = Path.of(v);
                case "--go" -> go = Path.of(v);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
            i++;
        }
        if (addr == null || token == null || bodiesFile == null || service == null) {
            throw new IllegalArgumentException("usage: --addr URL --token T --bodies FILE --service S [--mount M] [--seconds S] "
                    + "[--count N] [--warmup N] [--ready FILE --go FILE]");
        }
        List<String> bodies = Files.readAllLines(Path.of(bodiesFile)).stream().filter(l -> !l.isEmpty()).toList();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
        String base = addr + "/v1/" + mount + "/";

        List<NoteVerifier> keys = new ArrayList<>();
        for (String line : get(http, base + "log/key", null).split("\n")) {
            if (!line.isBlank()) {
                keys.add(NoteVerifier.parse(line.strip()));
            }
        }
        String origin = keys.getFirst().name();

        List<Double> whole = new ArrayList<>(), publish = new ArrayList<>(), proof = new ArrayList<>();
        long leafBytes = 0;
        long deadline = 0, firstMs = 0;
        for (int k = 0; k < bodies.size() && whole.size() < count; k++) {
            if (k == warmup) {
                awaitGo(ready, go);
                deadline = System.nanoTime() + (long) (seconds * 1e9);
                firstMs = System.currentTimeMillis();
            } else if (k > warmup && System.nanoTime() > deadline) {
                break;
            }
            String instance = "i" + k;
            long t0 = System.nanoTime();
            HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(base + "publish/" + service + "/" + instance))
                    .header("X-Vault-Token", token).header("Content-Type", "application/json")
                    .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString(bodies.get(k))).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (answer.statusCode() != 200) {
                throw new IllegalStateException("publish " + instance + " answered " + answer.statusCode() + ": " + answer.body());
            }
            long t1 = System.nanoTime();
            @SuppressWarnings("unchecked")
            Map<String, Object> data = (Map<String, Object>) Json.parseObject(answer.body()).get("data");
            @SuppressWarnings("unchecked")
            Map<String, Object> log = (Map<String, Object>) data.get("log");
            if (log == null) {
                throw new IllegalStateException("the publish answer carries no log: {index, checkpoint} (a plugin without the log?)");
            }
            long index = ((Number) log.get("index")).longValue();
            String note = (String) log.get("checkpoint");
            long size = Checkpoint.parse(SignedNote.parse(note).text()).size();
            String text = get(http, base + "log/proof/inclusion?index=" + index + "&size=" + size, null);

            SignedCheckpoint c = SignedCheckpoint.open(note, origin, keys);
            TlogProof p = TlogProof.parse(text);
            if (p.index() != index || !SignedNote.parse(p.checkpoint()).text().equals(c.note().text())) {
                throw new IllegalStateException("the inclusion proof of " + index + " is of another leaf or checkpoint");
            }
            byte[] bytes = p.extra().orElseThrow(() -> new IllegalStateException("an inclusion proof without its leaf"));
            Leaf leaf = Leaf.parse(bytes);
            String fingerprint = "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(leaf.spki().orElseThrow()));
            if (!leaf.type().equals("publish") || !leaf.service().orElseThrow().equals(service)
                    || !leaf.instance().orElseThrow().equals(instance) || !fingerprint.equals(data.get("fingerprint"))) {
                throw new IllegalStateException("the leaf at " + index + " is not this publish: " + new String(bytes, StandardCharsets.UTF_8));
            }
            Proofs.checkInclusion(TreeHash.leaf(bytes), index, size, p.proof(), c.checkpoint().root());
            long t2 = System.nanoTime();
            if (k >= warmup) {
                whole.add((t2 - t0) / 1e6);
                publish.add((t1 - t0) / 1e6);
                proof.add((t2 - t1) / 1e6);
                leafBytes += bytes.length;
            }
        }
        if (whole.isEmpty()) {
            throw new IllegalStateException("nothing measured: " + bodies.size() + " bodies for " + warmup + " warm-up publishes");
        }
        System.out.printf(Locale.ROOT, "RESULT n=%d p50_ms=%.1f p99_ms=%.1f max_ms=%.1f publish_p50_ms=%.1f publish_p99_ms=%.1f "
                        + "proof_p50_ms=%.1f proof_p99_ms=%.1f leaf_bytes=%d exhausted=%d first_ms=%d last_ms=%d%n",
                whole.size(), pct(whole, 50), pct(whole, 99), pct(whole, 100), pct(publish, 50), pct(publish, 99),
                pct(proof, 50), pct(proof, 99), leafBytes / whole.size(), whole.size() + warmup >= bodies.size() ? 1 : 0,
                firstMs, System.currentTimeMillis());
    }

    /**
     * With --ready and --go: says the warm-up is done (creates READY), then waits, up to 2 minutes,
     * for GO to exist, so that a caller can start a load only once this JVM is up and warm.
     */
    static void awaitGo(Path ready, Path go) throws Exception {
        if (ready == null || go == null) {
            return;
        }
        Files.createFile(ready);
        long giveUp = System.nanoTime() + 120_000_000_000L;
        while (!Files.exists(go)) {
            if (System.nanoTime() > giveUp) {
                throw new IllegalStateException("no " + go + " within 2 minutes of " + ready);
            }
            Thread.sleep(10);
        }
    }

    /** A GET; with no token for the log's public paths. */
    static String get(HttpClient http, String url, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60)).GET();
        if (token != null) {
            b.header("X-Vault-Token", token);
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("GET " + url + " answered " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }

    /** The nearest-rank percentile. */
    static double pct(List<Double> values, int p) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(v);
        int rank = (int) Math.ceil(p / 100.0 * v.length);
        return v[Math.max(0, Math.min(v.length, rank) - 1)];
    }
}
