package dev.herald.client.cli;

import dev.herald.client.HeraldException;
import dev.herald.client.VaultClient;
import dev.herald.client.auth.Session;
import dev.herald.client.pkcs11.Pkcs11Token;
import dev.herald.client.publisher.Claims;
import dev.herald.client.publisher.Publication;
import dev.herald.client.publisher.Publisher;
import dev.herald.client.publisher.PublisherKey;
import dev.herald.client.publisher.PublisherLoop;
import dev.herald.client.publisher.WorkloadIdentity;
import dev.herald.sdk.Durations;
import dev.herald.sdk.json.Json;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code herald publish}: publishes this instance's key with its endpoint claims; with
 * {@code --follow}, stays running as a sidecar that renews the lease, rotates the key (with a
 * continuity signature) and rewrites the workload's key and certificate files, and revokes its
 * lease on SIGTERM so that the instance leaves the record now rather than when the lease runs out. Each publication is printed to
 * stdout as one line of JSON.
 */
@Command(name = "publish", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Publish this instance's public key (and keep it published with --follow).")
final class PublishCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SERVICE")
    String service;

    @Parameters(index = "1", paramLabel = "INSTANCE")
    String instance;

    @Option(names = "--role", required = true, paramLabel = "ROLE", description = "The Herald role that allows the publication.")
    String role;

    @Option(names = "--endpoint", paramLabel = "HOST:PORT", description = "An endpoint of the instance (repeatable).")
    List<String> endpoints = new ArrayList<>();

    @Option(names = "--ip", paramLabel = "ADDR", description = "An IP address of the instance (repeatable).")
    List<String> ipAddresses = new ArrayList<>();

    @Option(names = "--dns", paramLabel = "NAME", description = "A DNS name of the instance (repeatable).")
    List<String> dnsNames = new ArrayList<>();

    @Option(names = "--metadata", paramLabel = "K=V", description = "Metadata (repeatable).")
    Map<String, String> metadata = new LinkedHashMap<>();

    @Option(names = "--key-file", paramLabel = "FILE",
            description = "The instance's private key (PKCS#8 PEM): reused if it exists, else made and written 0600."
                    + " Without it (and without --pkcs11-key-label), a key is made in memory.")
    Path keyFile;

    @Option(names = "--key-type", paramLabel = "TYPE", defaultValue = "ed25519",
            description = "The type of a key that is made: ed25519 or ec-p256 (default: ${DEFAULT-VALUE}; PKCS#11: always ec-p256).")
    String keyType;

    @Option(names = "--cert-out", paramLabel = "FILE", description = "Write the workload's self-signed certificate here (atomically, on every rotation).")
    Path certOut;

    @Option(names = "--key-out", paramLabel = "FILE", description = "Write the workload's private key here (0600, atomically, on every rotation).")
    Path keyOut;

    @Option(names = "--ttl", paramLabel = "DURATION", description = "The publication's requested lifetime (e.g. 1h).")
    String ttl;

    @Option(names = "--follow", description = "Keep running: renew, rotate, rewrite the files; revoke on SIGTERM.")
    boolean follow;

    @Option(names = "--rotate-every", paramLabel = "DURATION", description = "With --follow: rotate to a new key this often (e.g. 24h).")
    String rotateEvery;

    @Option(names = "--switch", paramLabel = "WHEN", defaultValue = "acknowledged",
            description = "With --follow: when the workload presents a rotation's new key: 'acknowledged' (at the engine's"
                    + " serve_new_from, once the consumers that count have it; the default) or 'immediate'.")
    String switchAt;

    @Mixin
    ConnectionOptions connection;

    @Override
    public Integer call() throws InterruptedException {
        if ((certOut == null) != (keyOut == null)) {
            throw new HeraldException("--cert-out and --key-out go together");
        }
        if (rotateEvery != null && !follow) {
            throw new HeraldException("--rotate-every needs --follow");
        }
        VaultClient client = connection.vaultClient();
        Session session = connection.session(client);
        Publisher publisher = Publisher.builder(client, session, service, instance, role).mount(connection.mount())
                .claims(claims()).build();
        PublisherKey key = key();
        WorkloadIdentity identity = certOut == null ? WorkloadIdentity.inMemory()
                : WorkloadIdentity.builder().certificateFile(certOut).keyFile(keyOut).build();
        if (!follow) {
            Publication publication = publisher.publish(key);
            identity.update(key, publisher);
            print(publication);
            return HeraldCli.OK;
        }
        PublisherLoop.Builder builder = PublisherLoop.builder(publisher, key).identity(identity).switching(switching());
        if (rotateEvery != null) {
            builder.rotateEvery(Durations.parse(rotateEvery));
        }
        PublisherLoop loop = builder.start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                loop.close(); // revokes: the instance leaves the record now, not when its lease runs out
                System.err.println("herald: " + service + "/" + instance + " revoked");
            } catch (RuntimeException e) {
                System.err.println("herald: could not revoke " + service + "/" + instance + ": " + e.getMessage());
            } finally {
                stopped.countDown();
            }
        }, "herald-publish-revoke"));
        long shown = -1;
        String shownFingerprint = "";
        while (!stopped.await(500, java.util.concurrent.TimeUnit.MILLISECONDS)) {
            Publication publication = loop.publication();
            if (publication.generation() != shown || !publication.fingerprint().equals(shownFingerprint)) {
                print(publication);
                shown = publication.generation();
                shownFingerprint = publication.fingerprint();
            }
        }
        return HeraldCli.OK;
    }

    private PublisherLoop.Switching switching() {
        return switch (switchAt) {
            case "acknowledged" -> PublisherLoop.Switching.WHEN_ACKNOWLEDGED;
            case "immediate" -> PublisherLoop.Switching.IMMEDIATELY;
            default -> throw new HeraldException("--switch is 'acknowledged' or 'immediate', not '" + switchAt + "'");
        };
    }

    private Claims claims() {
        Claims.Builder claims = Claims.builder();
        endpoints.forEach(claims::endpoint);
        ipAddresses.forEach(claims::ipAddress);
        dnsNames.forEach(claims::dnsName);
        metadata.forEach(claims::metadata);
        if (ttl != null) {
            claims.ttl(Durations.parse(ttl));
        }
        return claims.build();
    }

    private PublisherKey key() {
        if (connection.pkcs11Module != null && connection.auth != ConnectionOptions.Method.cert) {
            Pkcs11Token token = Pkcs11Options.open(connection);
            return PublisherKey.fromToken(token, ConnectionOptions.required(connection.pkcs11KeyLabel, "--pkcs11-key-label"));
        }
        PublisherKey.Type type = PublisherKey.Type.parse(keyType);
        return keyFile != null ? PublisherKey.fromFile(keyFile, type) : PublisherKey.generate(type);
    }

    private static void print(Publication publication) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("service", publication.service());
        line.put("instance", publication.instance());
        line.put("generation", publication.generation());
        line.put("fingerprint", publication.fingerprint());
        line.put("not_before", publication.notBefore().toString());
        line.put("not_after", publication.notAfter().toString());
        line.put("sequence", publication.sequence());
        line.put("unchanged", publication.unchanged());
        line.put("lease_duration", publication.leaseDuration().toSeconds());
        Output.print(Json.write(line), null);
    }
}
