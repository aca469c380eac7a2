package dev.herald.engine;

import dev.herald.sdk.Lease;
import dev.herald.sdk.Operation;
import dev.herald.sdk.json.Json;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Not a test: a benchmark of the change path, run by hand. How much plugin CPU one change of one
 * instance costs (a publish of a new instance, a renewal of its lease, the lease's revocation) in a
 * fresh service and in services that already hold N live instances. Everything runs through the
 * real paths ({@code HeraldBackend.handle}) over storage in memory, on this thread, so the thread's
 * CPU time is the plugin's (the storage double's share included: a real server's share is not).
 *
 * <p>Each round fills a new service of N live instances directly in the storage of a new mount (in
 * the stored format, so that filling costs the same whatever the code under test), makes one
 * untimed change (it loads the service), then times {@value #OPS} publishes of new instances, the
 * renewals of their leases and the revocations of their leases. The sizes take turns, round by round. Printed: the median
 * over the rounds of CPU time per operation, and of CPU time plus GC time (Serial GC runs on its
 * own thread, which the thread's CPU time leaves out).
 *
 * <pre>
 * cd plugin/engine && java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xmx256m \
 *     -cp target/test-classes:target/classes:../sdk/target/classes:$BC dev.herald.engine.ChangePathBench [rounds] [sizes...]
 * </pre>
 * with {@code $BC} the bcprov, bcpkix and bcutil jars, after {@code mvn -o test-compile} (the flags are the
 * packaged plugin's, {@code jvm.options}). Defaults: 7 rounds; sizes 0, 100 and 10,000.
 */
final class ChangePathBench {
    private static final int OPS = 20;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final KeyPairGenerator generator;
    private final List<byte[]> keyPool = new ArrayList<>();
    private PublishingFixture mount;
    private int services;

    private ChangePathBench() throws NoSuchAlgorithmException {
        generator = KeyPairGenerator.getInstance("Ed25519");
        for (int i = 0; i < 256; i++) {
            keyPool.add(generator.generateKeyPair().getPublic().getEncoded());
        }
    }

    /** A new mount (its storage and caches empty): what earlier rounds left takes no memory. */
    private void newMount() {
        mount = new PublishingFixture();
        mount.engine.send(Operation.UPDATE, "config", Map.of("default_ttl", "1h", "max_ttl", "24h"));
        mount.engine.send(Operation.UPDATE, "roles/web", Map.of("services", "bench-*", "instance", "*",
                "allow_unbound", true, "require_proof", false));
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        int[] sizes = args.length > 1
                ? Arrays.stream(args, 1, args.length).mapToInt(Integer::parseInt).toArray()
                : new int[] {0, 100, 10_000};
        ChangePathBench bench = new ChangePathBench();
        System.out.println("warming up");
        for (int size : sizes) {
            bench.round(Math.min(size, 1000));
            bench.round(Math.min(size, 1000));
        }
        System.out.printf("%8s  %28s  %28s  %28s%n", "", "publish", "renew", "lease revoke");
        System.out.printf("%8s  %13s %14s  %13s %14s  %13s %14s%n", "live",
                "cpu µs/op", "cpu+gc µs/op", "cpu µs/op", "cpu+gc µs/op", "cpu µs/op", "cpu+gc µs/op");
        Map<Integer, List<double[]>> results = new LinkedHashMap<>();
        for (int r = 0; r < rounds; r++) {
            for (int size : sizes) { // sizes take turns: JIT warmth and heap growth favour none of them
                results.computeIfAbsent(size, s -> new ArrayList<>()).add(bench.round(size));
            }
        }
        for (Map.Entry<Integer, List<double[]>> size : results.entrySet()) {
            System.out.printf("%8d", size.getKey());
            for (int column = 0; column < 6; column += 2) {
                System.out.printf("  %13.1f %14.1f", median(size.getValue(), column), median(size.getValue(), column + 1));
            }
            System.out.println();
        }
    }

    private static double median(List<double[]> results, int column) {
        double[] values = results.stream().mapToDouble(result -> result[column]).sorted().toArray();
        return values[values.length / 2];
    }

    /** One round in a new service of {@code size} live instances: {publish, renew, revoke} x {cpu, cpu+gc} per op. */
    private double[] round(int size) {
        newMount();
        String service = "bench-" + (++services);
        fill(service, size);
        mount.engine.write("publish/" + service + "/warm-up", body(keyPool.getFirst()), PublishingFixture.POD_CALLER);

        List<Map<String, Object>> bodies = new ArrayList<>();
        for (int i = 0; i < OPS; i++) {
            bodies.add(body(generator.generateKeyPair().getPublic().getEncoded()));
        }
        List<Lease> leases = new ArrayList<>();
        long[] start = now();
        for (int i = 0; i < OPS; i++) {
            leases.add(mount.engine.write("publish/" + service + "/new-" + i, bodies.get(i), PublishingFixture.POD_CALLER)
                    .lease().orElseThrow());
        }
        double[] publish = perOp(start);

        double[] renew = {0, 0};
        for (Lease lease : leases) {
            mount.engine.clock.advance(Duration.ofSeconds(1)); // so that each renewal moves not_after
            start = now();
            mount.engine.lease(Operation.RENEW, lease);
            double[] one = perOp(start);
            renew[0] += one[0];
            renew[1] += one[1];
        }

        start = now();
        for (Lease lease : leases) {
            mount.engine.lease(Operation.REVOKE, lease);
        }
        double[] revoke = perOp(start);
        return new double[] {publish[0], publish[1], renew[0], renew[1], revoke[0], revoke[1]};
    }

    private Map<String, Object> body(byte[] spki) {
        Map<String, Object> body = new HashMap<>();
        body.put("role", "web");
        body.put("public_key", PublisherKey.pem("PUBLIC KEY", spki));
        body.put("endpoints", List.of("a.web.internal:8443"));
        body.put("metadata", Map.of("zone", "a"));
        return body;
    }

    /** Writes a service of {@code size} live instances as publishes would have left it (no history). */
    private void fill(String service, int size) {
        if (size == 0) {
            return;
        }
        Instant now = mount.engine.clock.instant();
        PublisherIdentity publisher = PublisherIdentity.unbound("tok-1");
        for (int i = 0; i < size; i++) {
            Publication publication = Publication.builder()
                    .instance("pod-" + i)
                    .generation(1)
                    .key(new PublisherKey("ed25519", keyPool.get(i % keyPool.size()), null))
                    .claims(TestValues.noClaims().endpoints(List.of("a.web.internal:8443")).build())
                    .metadata(Map.of("zone", "a"))
                    .notBefore(now)
                    .notAfter(now.plus(Duration.ofHours(1)))
                    .maxNotAfter(now.plus(Duration.ofHours(24)))
                    .ttl(Duration.ofHours(1))
                    .role("web")
                    .publisher(publisher)
                    .leaseBound(true)
                    .superseded(false)
                    .build();
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("seq", i + 1);
            entry.put("history_length", 0);
            entry.put("generation", 1);
            entry.put("publications", List.of(publication.toStored()));
            put("instances/" + service + "/pod-" + i, entry);
        }
        Map<String, Object> head = new LinkedHashMap<>();
        head.put("seq", size);
        head.put("history_length", 0);
        put("services/" + service, head);
    }

    private void put(String key, Map<String, Object> value) {
        mount.engine.storage.put(key, Json.write(value).getBytes(StandardCharsets.UTF_8));
    }

    private static long[] now() {
        return new long[] {THREADS.getCurrentThreadCpuTime(), gcMillis()};
    }

    /** µs per operation since {@code start}: CPU time of this thread, and that plus GC time. */
    private static double[] perOp(long[] start) {
        long[] end = now();
        double cpu = (end[0] - start[0]) / 1000.0;
        double gc = (end[1] - start[1]) * 1000.0;
        return new double[] {cpu / OPS, (cpu + gc) / OPS};
    }

    private static long gcMillis() {
        long total = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            total += Math.max(0, gc.getCollectionTime());
        }
        return total;
    }
}
