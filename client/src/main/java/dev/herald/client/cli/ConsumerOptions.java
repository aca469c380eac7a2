package dev.herald.client.cli;

import dev.herald.client.Pem;
import dev.herald.client.VaultClient;
import dev.herald.client.consumer.Consumer;
import dev.herald.client.consumer.DiscoveryRecord;
import dev.herald.client.consumer.StateDirectory;
import dev.herald.sdk.Durations;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.stream.Collectors;
import picocli.CommandLine.Option;

/** What {@code discover} and {@code trust} share: the state directory, wrapping, and how a consumer is made. */
final class ConsumerOptions {
    @Option(names = "--state", paramLabel = "DIR",
            description = "Keep the pinned signer keys and the highest seq seen here (made on first use, from jwks)."
                    + " Without it, the keys are fetched and pinned for this run only.")
    Path state;

    @Option(names = "--wrap-ttl", paramLabel = "DURATION", defaultValue = "60s",
            description = "Read the record through response wrapping with this TTL (default: ${DEFAULT-VALUE}).")
    String wrapTtl;

    @Option(names = "--issuer", paramLabel = "ISS", description = "The records' expected iss (default: the mount path with a slash, the engine's default).")
    String issuer;

    /** A consumer of {@code service} (and {@code instance}, if not null) through {@code client}. */
    Consumer consumer(ConnectionOptions connection, VaultClient client, String service, String instance) {
        Consumer.Builder builder = Consumer.builder(client, connection.tokens(client), service).mount(connection.mount())
                .wrapTtl(Durations.parse(wrapTtl))
                .tamperHook(event -> System.err.println("herald: TAMPER: " + event.getMessage()));
        if (instance != null) {
            builder.instance(instance);
        }
        if (state != null) {
            builder.state(StateDirectory.open(state));
        }
        if (issuer != null) {
            builder.issuer(issuer);
        }
        return builder.build();
    }

    /** The live instances' public keys as PEM blocks, in record order. */
    static String pem(DiscoveryRecord record) {
        return record.publicKeys().stream().map(ConsumerOptions::pem).distinct().collect(Collectors.joining());
    }

    private static String pem(PublicKey key) {
        return Pem.encode("PUBLIC KEY", key.getEncoded());
    }
}
