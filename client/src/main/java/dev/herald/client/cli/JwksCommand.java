package dev.herald.client.cli;

import dev.herald.client.VaultClient;
import dev.herald.sdk.json.Json;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code herald jwks}: the mount's JWK Set (no token needed), to stdout or a file written atomically. */
@Command(name = "jwks", mixinStandardHelpOptions = true,
        description = "Print the JWK Set of the keys that verify the mount's records (no token needed).")
final class JwksCommand implements Callable<Integer> {
    @Mixin
    ConnectionOptions connection;

    @Option(names = "--out", paramLabel = "FILE", description = "Write the JWK Set to FILE (atomically) instead of stdout.")
    Path out;

    @Override
    public Integer call() {
        VaultClient client = connection.vaultClient(null);
        String jwks = Json.write(client.get(connection.mount() + "/jwks", null).data());
        Output.print(jwks, out);
        return HeraldCli.OK;
    }
}
