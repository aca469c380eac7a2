package dev.herald.client;

import dev.herald.sdk.json.Json;
import dev.herald.sdk.json.JsonException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.random.RandomGenerator;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The Vault HTTP API over the JDK's {@link HttpClient}: HTTPS trusting the configured CA (or the
 * JDK's trust store), an optional client certificate (cert auth; from a file or a PKCS#11 token,
 * as {@link KeyManager}s), and {@link Retry retries} after connection failures and 5xx answers only.
 * A refusal becomes a {@link VaultException} carrying the server's messages. Thread-safe.
 */
public final class VaultClient implements AutoCloseable {
    private final VaultConfig config;
    private final HttpClient http;
    private final Retry retry;
    private final Duration timeout;
    private final RandomGenerator random = new SecureRandom();

    private VaultClient(Builder builder) {
        this.config = builder.config;
        this.retry = builder.retry;
        this.timeout = builder.timeout;
        HttpClient.Builder http = HttpClient.newBuilder().connectTimeout(builder.connectTimeout)
                .version(HttpClient.Version.HTTP_1_1);
        if (config.address().getScheme().equals("https")) {
            http.sslContext(sslContext(config.caCert().orElse(null), builder.keyManagers));
        } else if (builder.keyManagers != null) {
            throw new HeraldException("a client certificate needs an https:// address, not " + config.address());
        }
        this.http = http.build();
    }

    public static Builder builder(VaultConfig config) {
        return new Builder(config);
    }

    public VaultConfig config() {
        return config;
    }

    /** {@code GET path} with {@code token} (null: none). */
    public VaultResponse get(String path, String token) {
        return send(VaultRequest.get(path, token));
    }

    /**
     * {@code GET path} without a token, for a raw (non-JSON) answer: the verifiable log's checkpoint,
     * tiles and proofs, which the engine serves unauthenticated as plain bytes. Retried as
     * {@link #send(VaultRequest)} is.
     *
     * @return the body of a 2xx answer
     * @throws VaultException on any other answer, or when the attempts run out
     */
    public byte[] getRaw(String path) {
        VaultRequest request = VaultRequest.get(path, null);
        return exchange(request, retry, HttpResponse.BodyHandlers.ofByteArray(), HttpResponse::body,
                body -> new String(body, StandardCharsets.UTF_8));
    }

    /** {@code POST path} with a JSON body and {@code token} (null: none). */
    public VaultResponse post(String path, Map<String, ?> body, String token) {
        return send(VaultRequest.post(path, body, token));
    }

    /**
     * Sends the request, again after a connection failure or a 5xx/429 answer as {@link Retry} allows;
     * returns a 2xx answer (a 204 has an empty JSON map).
     *
     * @throws VaultException on any other answer, or when the attempts run out
     */
    public VaultResponse send(VaultRequest request) {
        return send(request, retry);
    }

    /**
     * As {@link #send(VaultRequest)}, with another {@link Retry}: {@link Retry#NONE} for a request that
     * must not be sent twice (an unwrap whose answer was lost would find its token used the second time).
     */
    public VaultResponse send(VaultRequest request, Retry retry) {
        return exchange(request, retry, HttpResponse.BodyHandlers.ofString(),
                answer -> new VaultResponse(answer.statusCode(), parse(request, answer)), body -> body);
    }

    /** Sends with retries; a 2xx answer becomes {@code ok}'s result, any other a {@link VaultException}. */
    private <B, R> R exchange(VaultRequest request, Retry retry, HttpResponse.BodyHandler<B> handler,
                              Function<HttpResponse<B>, R> ok, Function<B, String> text) {
        VaultException last = null;
        for (int attempt = 1; attempt <= retry.attempts(); attempt++) {
            if (attempt > 1) {
                pause(request, retry.delayAfter(attempt - 1, random));
            }
            try {
                HttpResponse<B> answer = http.send(httpRequest(request), handler);
                if (answer.statusCode() / 100 == 2) {
                    return ok.apply(answer);
                }
                last = new VaultException(request.toString(), answer.statusCode(), errors(text.apply(answer.body())));
                if (!Retry.retryable(answer.statusCode())) {
                    throw last;
                }
            } catch (IOException e) {
                last = new VaultException(request.toString(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new VaultException(request.toString(), e);
            }
        }
        throw last;
    }

    /** Closes the HTTP client (its connections and threads). */
    @Override
    public void close() {
        http.close();
    }

    private HttpRequest httpRequest(VaultRequest request) {
        // Keep a path prefix of the address (a proxy's https://proxy.example/vault/), as the vault CLI does.
        String base = config.address().toString().replaceFirst("/+$", "");
        URI uri = URI.create(base + "/v1/" + request.path());
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(timeout)
                .method(request.method(), request.body() == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(Json.write(request.body())));
        if (request.body() != null) {
            builder.header("Content-Type", "application/json");
        }
        if (request.token() != null) {
            builder.header("X-Vault-Token", request.token());
        }
        config.namespace().ifPresent(namespace -> builder.header("X-Vault-Namespace", namespace));
        request.headers().forEach(builder::header);
        return builder.build();
    }

    private static Map<String, Object> parse(VaultRequest request, HttpResponse<String> answer) {
        String body = answer.body();
        if (body == null || body.isBlank()) {
            return Map.of();
        }
        try {
            return Json.parseObject(body);
        } catch (JsonException e) {
            throw new VaultException(request.toString(), answer.statusCode(),
                    List.of("the answer is not a JSON object: " + e.getMessage()));
        }
    }

    /** The server's {@code errors}, or the start of a body that has none (a proxy's page). */
    static List<String> errors(String body) {
        try {
            Object errors = Json.parseObject(body).get("errors");
            if (errors instanceof List<?> list && !list.isEmpty()) {
                return list.stream().map(String::valueOf).toList();
            }
        } catch (JsonException | NullPointerException notJson) {
            // fall through
        }
        String text = body == null ? "" : body.strip();
        return List.of(text.isEmpty() ? "(no message)" : text.length() > 200 ? text.substring(0, 200) + "..." : text);
    }

    private static void pause(VaultRequest request, Duration delay) {
        try {
            Thread.sleep(delay);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VaultException(request.toString(), e);
        }
    }

    /** TLS that trusts the CA certificates in {@code caCert} (or the JDK's store), presenting {@code keyManagers}. */
    static SSLContext sslContext(Path caCert, KeyManager[] keyManagers) {
        try {
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            if (caCert == null) {
                trust.init((KeyStore) null);
            } else {
                KeyStore store = KeyStore.getInstance("PKCS12");
                store.load(null, null);
                int i = 0;
                for (Certificate certificate : readCertificates(caCert)) {
                    store.setCertificateEntry("ca-" + i++, certificate);
                }
                trust.init(store);
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers, trust.getTrustManagers(), new SecureRandom());
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new HeraldException("cannot set up TLS with the CA certificates in " + caCert + ": " + e.getMessage(), e);
        }
    }

    /** Every certificate in a PEM (or DER) file. */
    static List<Certificate> readCertificates(Path file) throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(file)) {
            Collection<? extends Certificate> read = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (read.isEmpty()) {
                throw new HeraldException("no certificate in " + file);
            }
            return new ArrayList<>(read);
        }
    }

    /** Builds a {@link VaultClient}. */
    public static final class Builder {
        private final VaultConfig config;
        private KeyManager[] keyManagers;
        private Retry retry = Retry.DEFAULT;
        private Duration timeout = Duration.ofSeconds(30);
        private Duration connectTimeout = Duration.ofSeconds(10);

        private Builder(VaultConfig config) {
            this.config = config;
        }

        /** The client certificate presented to the server (cert auth). */
        public Builder keyManagers(KeyManager... keyManagers) {
            this.keyManagers = keyManagers.clone();
            return this;
        }

        public Builder retry(Retry retry) {
            this.retry = retry;
            return this;
        }

        /** How long one attempt may wait for its answer. */
        public Builder timeout(Duration timeout) {
            this.timeout = timeout;
            return this;
        }

        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = connectTimeout;
            return this;
        }

        public VaultClient build() {
            return new VaultClient(this);
        }
    }
}
