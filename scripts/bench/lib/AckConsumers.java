// Acknowledged rotation under N consumers of one service (docs/design-ack.md §11.4), the client side
// of scripts/bench/ack.sh. One run of this JVM:
//   1. with the root token: enables a jwt auth method at auth/<auth>/ trusting an EC P-256 key made
//      here, a policy (read on <mount>/discover/*, update and delete on <mount>/ack/*) and a role
//      (user_claim=sub), and publishes instance <instance> of <service> (a fresh Ed25519 key,
//      public_key; the mount's role `bench` allows the root token to publish);
//   2. logs N consumers in, --threads at a time, each with a JWT of its own sub (so its own entity)
//      signed here (ES256 made with the JDK: SHA256withECDSAinP1363Format is the JWS R || S);
//   3. registration: each reads discover/<service> with its token and acks the seq it was served
//      with the answer's ack.token and a session of its own (32 random hex digits);
//   4. creates --ready and waits for --go (the caller samples the server's metrics in between);
//   5. the rotation: publishes a second key for the same instance with continuity signed by the
//      first (retrying while the rotation window has not opened), then reads discover/<service>
//      once for the new seq and its ack token, and fires the N acks of that seq, --threads at a
//      time, as fast as they are answered (a closed loop: each thread sends its next ack when the
//      previous one is answered), timing each; a thread polls rotation/<service>/<instance> every
//      --poll-ms until the rotation's state is acknowledged.
// Prints "RESULT key=value ..." on stdout (times in ms); the acks that were not answered 2xx are
// counted by status, and the first few answers are printed on stderr as they came (no token is
// ever printed). Run with the JDK 25 source launcher on the client jar (its JSON parser):
//
//   java -cp target/client/herald-client.jar scripts/bench/lib/AckConsumers.java --addr URL --token T
//        [--mount herald] [--service bench-ack] [--instance i1] [--consumers 10000] [--threads 16]
//        [--auth jwt-bench] [--poll-ms 100] [--ready FILE --go FILE]
import dev.herald.sdk.json.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

public class AckConsumers {
    static final String ISSUER = "https://issuer.herald-bench.invalid", AUDIENCE = "herald-bench";
    static HttpClient http;
    static String base, rootToken;
    static final Map<String, AtomicInteger> refused = new ConcurrentHashMap<>();
    static final AtomicInteger shown = new AtomicInteger();

    record Consumer(String token, String session) {
    }

    record Answer(int status, String body, long sentNanos, long answeredNanos) {
        Map<String, Object> data() {
            return data(body);
        }

        @SuppressWarnings("unchecked")
        static Map<String, Object> data(String body) {
            return (Map<String, Object>) Json.parseObject(body).get("data");
        }
    }

    public static void main(String[] args) throws Exception {
        String addr = null, mount = "herald", service = "bench-ack", instance = "i1", auth = "jwt-bench";
        int consumers = 10_000, threads = 16;
        long pollMs = 100;
        Path ready = null, go = null;
        for (int i = 0; i < args.length; i++) {
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--addr" -> addr = v;
                case "--token" -> rootToken = v;
                case "--mount" -> mount = v;
                case "--service" -> service = v;
                case "--instance" -> instance = v;
                case "--consumers" -> consumers = Integer.parseInt(v);
                case "--threads" -> threads = Integer.parseInt(v);
                case "--auth" -> auth = v;
                case "--poll-ms" -> pollMs = Long.parseLong(v);
                case "--ready" -> ready = Path.of(v);
                case "--go" -> go = Path.of(v);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
            i++;
        }
        if (addr == null || rootToken == null) {
            throw new IllegalArgumentException("usage: --addr URL --token T [--mount M] [--service S] [--instance I] "
                    + "[--consumers N] [--threads N] [--auth PATH] [--poll-ms MS] [--ready FILE --go FILE]");
        }
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
        base = addr + "/v1/";
        Map<String, String> result = new LinkedHashMap<>();

        // 1. the jwt auth method, the consumers' policy and role; the first key of the instance
        KeyPair issuer = generate("EC");
        ok(send("POST", "sys/auth/" + auth, Map.of("type", "jwt"), rootToken));
        ok(send("POST", "auth/" + auth + "/config", Map.of("jwt_validation_pubkeys", List.of(pem(issuer.getPublic().getEncoded())),
                "bound_issuer", ISSUER), rootToken));
        ok(send("PUT", "sys/policies/acl/ack-bench-consumer", Map.of("policy",
                "path \"" + mount + "/discover/*\" { capabilities = [\"read\"] }\n"
                        + "path \"" + mount + "/ack/*\" { capabilities = [\"update\", \"delete\"] }\n"), rootToken));
        ok(send("POST", "auth/" + auth + "/role/consumer", Map.of("role_type", "jwt", "user_claim", "sub",
                "bound_audiences", List.of(AUDIENCE), "token_policies", List.of("ack-bench-consumer"), "token_ttl", "3h"), rootToken));
        KeyPair first = generate("Ed25519");
        String publishPath = mount + "/publish/" + service + "/" + instance;
        Map<String, Object> published = ok(send("POST", publishPath, publishBody(first, instance, null), rootToken)).data();
        long generation = ((Number) published.get("generation")).longValue();

        // 2. logins
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        String authPath = auth;
        SecureRandom random = new SecureRandom();
        long t0 = System.nanoTime();
        Consumer[] all = run(pool, "login", consumers, k -> {
            Answer a = ok(send("POST", "auth/" + authPath + "/login", Map.of("role", "consumer",
                    "jwt", jwt(issuer, "bench-consumer-" + k)), null));
            @SuppressWarnings("unchecked")
            Map<String, Object> login = (Map<String, Object>) Json.parseObject(a.body()).get("auth");
            byte[] session = new byte[16];
            random.nextBytes(session);
            return new Consumer((String) login.get("client_token"), HexFormat.of().formatHex(session));
        }).toArray(Consumer[]::new);
        result.put("login_ms", ms(System.nanoTime() - t0));

        // 3. registration: each reads discover once and acks what it was served
        String discoverPath = mount + "/discover/" + service, ackPath = mount + "/ack/" + service;
        t0 = System.nanoTime();
        List<Answer> registration = run(pool, "register", consumers, k -> {
            Map<String, Object> served = ok(send("GET", discoverPath, null, all[k].token())).data();
            return send("POST", ackPath, ackBody(served, all[k]), all[k].token());
        });
        result.put("register_ms", ms(System.nanoTime() - t0));
        long registered = registration.stream().filter(a -> a.status() / 100 == 2).count();
        result.put("register_ok", Long.toString(registered));
        Map<String, Object> summary = summary(ok(send("GET", mount + "/consumers/" + service + "?limit=1", null, rootToken)).data());
        result.put("counted_before", String.valueOf(summary.get("counted")));
        result.put("sessions_before", String.valueOf(summary.get("sessions")));

        // 4. the caller samples the server, then says go
        if (ready != null) {
            Files.writeString(ready, "ready\n");
            while (go != null && !Files.exists(go)) {
                Thread.sleep(50);
            }
        }

        // 5. the rotation and the ack wave
        KeyPair second = generate("Ed25519");
        Answer rotated;
        while (true) {
            rotated = send("POST", publishPath, publishBody(second, instance,
                    continuity(first, mount + "/", service, instance, generation, second)), rootToken);
            if (rotated.status() == 409 && rotated.body().contains("opens at")) {
                Thread.sleep(200);  // the rotation window has not opened yet
                continue;
            }
            break;
        }
        ok(rotated);
        long rotatedAt = rotated.answeredNanos();
        @SuppressWarnings("unchecked")
        Map<String, Object> rotation = (Map<String, Object>) rotated.data().get("rotation");
        if (rotation == null || !Boolean.TRUE.equals(rotation.get("counted"))) {
            throw new IllegalStateException("the rotation does not await consumers: " + rotated.body());
        }
        long awaiting = ((Number) rotation.get("awaiting_sequence")).longValue();
        result.put("awaiting_sequence", Long.toString(awaiting));

        String rotationPath = mount + "/rotation/" + service + "/" + instance;
        AtomicLong acknowledgedAt = new AtomicLong();
        AtomicLong polls = new AtomicLong();
        Map<String, Object> lastRotation = new ConcurrentHashMap<>();
        long pollInterval = pollMs;
        Thread poller = Thread.ofPlatform().start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                Answer a = send("GET", rotationPath, null, rootToken);
                polls.incrementAndGet();
                if (a.status() == 200) {
                    for (Object o : (List<?>) a.data().get("rotations")) {
                        Map<?, ?> r = (Map<?, ?>) o;
                        if (((Number) r.get("awaiting_sequence")).longValue() == awaiting) {
                            r.forEach((key, value) -> lastRotation.put((String) key, value));
                            if (!"pending".equals(r.get("state"))) {
                                acknowledgedAt.set(a.answeredNanos());
                                return;
                            }
                        }
                    }
                } else {
                    refusal("rotation", a);
                }
                try {
                    Thread.sleep(pollInterval);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });

        Map<String, Object> served = ok(send("GET", discoverPath, null, all[0].token())).data();
        long seq = ((Number) served.get("seq")).longValue();
        result.put("served_seq", Long.toString(seq));
        result.put("requested", String.valueOf(((Map<?, ?>) served.get("ack")).get("requested")));
        AtomicLong completedAt = new AtomicLong();
        long waveStart = System.nanoTime();
        List<Answer> wave = run(pool, "wave", consumers, k -> {
            Answer a = send("POST", ackPath, ackBody(served, all[k]), all[k].token());
            if (a.status() == 200 && !((List<?>) a.data().get("completed")).isEmpty()) {
                completedAt.set(a.answeredNanos());
            }
            return a;
        });
        long waveEnd = wave.stream().mapToLong(Answer::answeredNanos).max().orElse(waveStart);
        poller.join(Duration.ofSeconds(120));
        poller.interrupt();
        pool.shutdown();

        long[] latencies = wave.stream().filter(a -> a.status() / 100 == 2)
                .mapToLong(a -> a.answeredNanos() - a.sentNanos()).sorted().toArray();
        result.put("acks", Integer.toString(consumers));
        result.put("acks_ok", Integer.toString(latencies.length));
        result.put("wave_ms", ms(waveEnd - waveStart));
        result.put("acks_per_s", String.format(Locale.ROOT, "%.0f", latencies.length / ((waveEnd - waveStart) / 1e9)));
        result.put("p50_ms", ms(percentile(latencies, 0.50)));
        result.put("p99_ms", ms(percentile(latencies, 0.99)));
        result.put("max_ms", ms(latencies.length == 0 ? 0 : latencies[latencies.length - 1]));
        result.put("rotation_to_wave_start_ms", ms(waveStart - rotatedAt));
        result.put("rotation_to_completing_ack_ms", completedAt.get() == 0 ? "none" : ms(completedAt.get() - rotatedAt));
        result.put("rotation_to_acknowledged_ms", acknowledgedAt.get() == 0 ? "none" : ms(acknowledgedAt.get() - rotatedAt));
        result.put("state", String.valueOf(lastRotation.get("state")));
        result.put("engine_acknowledged_after_s", lastRotation.get("acknowledged_at") instanceof Number c
                ? Long.toString(c.longValue() - ((Number) lastRotation.get("started_at")).longValue()) : "none");
        result.put("polls", Long.toString(polls.get()));
        result.put("refused", refused.isEmpty() ? "none" : new TreeMap<>(refused).toString().replace(" ", ""));
        StringBuilder line = new StringBuilder("RESULT");
        result.forEach((k, v) -> line.append(' ').append(k).append('=').append(v));
        System.out.println(line);
    }

    // --- requests ----------------------------------------------------------------------------------------

    static Answer send(String method, String path, Object body, String token) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(Json.write(body)));
        if (token != null) {
            request.header("X-Vault-Token", token);
        }
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        long sent = System.nanoTime();
        try {
            HttpResponse<String> answer = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(answer.statusCode(), answer.body(), sent, System.nanoTime());
        } catch (Exception e) {
            return new Answer(0, e.toString(), sent, System.nanoTime());
        }
    }

    /** The answer if it is 2xx; else it is shown and the run ends. */
    static Answer ok(Answer a) {
        if (a.status() / 100 != 2) {
            refusal(a.status() == 0 ? "error" : "request", a);
            throw new IllegalStateException("a request was answered " + a.status() + " (above)");
        }
        return a;
    }

    /** Counts a non-2xx answer by status, and shows the first few bodies on stderr. */
    static void refusal(String what, Answer a) {
        refused.computeIfAbsent(what + ":" + a.status(), s -> new AtomicInteger()).incrementAndGet();
        if (shown.incrementAndGet() <= 5) {
            System.err.println("ack-bench: " + what + " answered " + a.status() + ": " + a.body().strip());
        }
    }

    /** Runs task(k) for k in 0..n-1 on the pool; the results in k order. Non-2xx answers are counted as PHASE:status. */
    static <T> List<T> run(ExecutorService pool, String phase, int n, IntFunction<T> task) throws Exception {
        List<Future<T>> futures = new ArrayList<>(n);
        for (int k = 0; k < n; k++) {
            int i = k;
            futures.add(pool.submit(() -> {
                T t = task.apply(i);
                if (t instanceof Answer a && a.status() / 100 != 2) {
                    refusal(phase, a);
                }
                return t;
            }));
        }
        List<T> results = new ArrayList<>(n);
        for (Future<T> f : futures) {
            results.add(f.get());
        }
        return results;
    }

    static Map<String, Object> ackBody(Map<String, Object> served, Consumer c) {
        return Map.of("seq", served.get("seq"), "ack_token", ((Map<?, ?>) served.get("ack")).get("token"), "session", c.session());
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> summary(Map<String, Object> data) {
        return (Map<String, Object>) data.get("summary");
    }

    // --- keys and signatures -------------------------------------------------------------------------------

    static KeyPair generate(String algorithm) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
        if (algorithm.equals("EC")) {
            generator.initialize(new ECGenParameterSpec("secp256r1"));
        }
        return generator.generateKeyPair();
    }

    static Map<String, Object> publishBody(KeyPair key, String instance, String continuity) {
        Map<String, Object> body = new LinkedHashMap<>(Map.of("role", "bench", "public_key", pem(key.getPublic().getEncoded()),
                "endpoints", List.of(instance + ".bench.internal:443")));
        if (continuity != null) {
            body.put("continuity", continuity);
        }
        return body;
    }

    /** The first key's signature over the continuity message handing the instance to the second (DESIGN §5.3). */
    static String continuity(KeyPair from, String issuer, String service, String instance, long generation, KeyPair to)
            throws Exception {
        String fingerprint = "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(to.getPublic().getEncoded()));
        Signature signature = Signature.getInstance("Ed25519");
        signature.initSign(from.getPrivate());
        signature.update(String.join("\n", "herald-continuity-v1", issuer, service, instance, Long.toString(generation),
                fingerprint).getBytes(StandardCharsets.UTF_8));
        return b64(signature.sign());
    }

    /** A compact ES256 JWT for {@code subject}, valid for ten minutes. */
    static String jwt(KeyPair issuer, String subject) {
        try {
            long now = System.currentTimeMillis() / 1000;
            String header = b64(Json.write(Map.of("alg", "ES256", "typ", "JWT")).getBytes(StandardCharsets.UTF_8));
            String claims = b64(Json.write(Map.of("iss", ISSUER, "aud", AUDIENCE, "sub", subject, "iat", now, "nbf", now,
                    "exp", now + 600)).getBytes(StandardCharsets.UTF_8));
            Signature signature = Signature.getInstance("SHA256withECDSAinP1363Format");  // R || S, as JWS wants
            signature.initSign(issuer.getPrivate());
            signature.update((header + "." + claims).getBytes(StandardCharsets.US_ASCII));
            return header + "." + claims + "." + b64(signature.sign());
        } catch (Exception e) {
            throw new IllegalStateException("cannot sign a JWT", e);
        }
    }

    static String b64(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    static String pem(byte[] spki) {
        return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(spki)
                + "\n-----END PUBLIC KEY-----\n";
    }

    // --- figures -------------------------------------------------------------------------------------------

    static long percentile(long[] sorted, double p) {
        return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }

    static String ms(long nanos) {
        return String.format(Locale.ROOT, "%.1f", nanos / 1e6);
    }
}
