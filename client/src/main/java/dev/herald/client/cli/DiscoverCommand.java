package dev.herald.client.cli;

import dev.herald.client.VaultClient;
import dev.herald.client.consumer.Consumer;
import dev.herald.client.consumer.DiscoveryRecord;
import dev.herald.sdk.json.Json;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code herald discover}: reads a service's (or one instance's) record through response wrapping,
 * looks the wrapping token up before unwrapping it, verifies the record against the pinned signer
 * keys, checks {@code seq} against the state, and prints the verified record.
 *
 * <p>A service with more live instances than the mount's {@code max_record_instances} is read in
 * signed pages (with {@code --page-size}, always), each verified and checked as a record is; the
 * JSON printed is then the pages combined ({@link DiscoveryRecord#toJson}): {@code records}, each
 * page's JWT, instead of {@code record}; the earliest {@code iat} and {@code exp}, the highest
 * {@code seq}, scope "page", and every page's instances. {@code herald verify} checks it as such.
 */
@Command(name = "discover", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Read, verify and print a service's signed record.")
final class DiscoverCommand implements Callable<Integer> {
    enum Format { json, pem }

    @Parameters(index = "0", paramLabel = "SERVICE")
    String service;

    @Parameters(index = "1", arity = "0..1", paramLabel = "INSTANCE")
    String instance;

    @Option(names = "--output", paramLabel = "FORMAT", defaultValue = "json",
            description = "json: the verified claims with the JWT under record; pem: the live instances' public keys.")
    Format output;

    @Mixin
    ConsumerOptions consumer;

    @Mixin
    ConnectionOptions connection;

    @Override
    public Integer call() {
        VaultClient client = connection.vaultClient();
        DiscoveryRecord record = consumer.consumer(connection, client, service, instance, Consumer.Acknowledging.NEVER).refresh();
        Output.print(output == Format.pem ? ConsumerOptions.pem(record) : Json.write(record.toJson()), null);
        return HeraldCli.OK;
    }
}
