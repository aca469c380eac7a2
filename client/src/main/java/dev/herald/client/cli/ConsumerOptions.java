package dev.herald.client.cli;

import dev.herald.client.Pem;
import dev.herald.client.VaultClient;
import dev.herald.client.consumer.Consumer;
import dev.herald.client.consumer.DiscoveryRecord;
import dev.herald.client.consumer.StateDirectory;
import dev.herald.client.log.WitnessPolicy;
import dev.herald.sdk.Durations;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.stream.Collectors;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

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

    @Mixin
    LogKeyOptions log;

    @Mixin
    WitnessOptions witnesses;

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    /** 0: the whole record, and pages of the mount's max_record_instances only when the server says the service is too large. */
    int pageSize;

    @Option(names = "--page-size", paramLabel = "N",
            description = "Read the service's record in signed pages of at most N instances (at most the mount's"
                    + " max_record_instances). Without it, the whole record is read, and pages only when the server says"
                    + " the service has too many instances for one record.")
    void pageSize(int pageSize) {
        if (pageSize < 1 || pageSize > Consumer.MAX_PAGE_SIZE) {
            throw new ParameterException(command.commandLine(), "--page-size must be between 1 and "
                    + Consumer.MAX_PAGE_SIZE + ", not " + pageSize);
        }
        this.pageSize = pageSize;
    }

    /**
     * A consumer of {@code service} (and {@code instance}, if not null) through {@code client},
     * acknowledging as {@code acknowledging} says: a command that reads once never acknowledges (it
     * would be counted as a consumer for consumer_ttl after it exited, holding rotations back).
     */
    Consumer consumer(ConnectionOptions connection, VaultClient client, String service, String instance,
                      Consumer.Acknowledging acknowledging) {
        if (instance != null && pageSize > 0) {
            throw new ParameterException(command.commandLine(), "--page-size is for a whole service, not for one instance");
        }
        Consumer.Builder builder = Consumer.builder(client, connection.tokens(client), service).mount(connection.mount())
                .wrapTtl(Durations.parse(wrapTtl)).acknowledging(acknowledging)
                .tamperHook(log.hook(new PrintWriter(System.err, true)));
        if (instance != null) {
            builder.instance(instance);
        }
        if (pageSize > 0) {
            builder.pageSize(pageSize);
        }
        if (state != null) {
            builder.state(StateDirectory.open(state));
        }
        if (issuer != null) {
            builder.issuer(issuer);
        }
        if (log.key() != null) {
            builder.logKey(log.key());
        }
        WitnessPolicy policy = witnesses.policy();
        if (policy != null) {
            builder.witnesses(policy);
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
