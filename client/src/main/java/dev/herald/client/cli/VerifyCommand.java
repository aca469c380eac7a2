package dev.herald.client.cli;

import dev.herald.client.HeraldException;
import dev.herald.client.consumer.Consumer;
import dev.herald.client.consumer.DiscoveryRecord;
import dev.herald.client.consumer.RecordVerifier;
import dev.herald.client.consumer.SignerKeys;
import dev.herald.client.consumer.StateDirectory;
import dev.herald.sdk.json.Json;
import dev.herald.client.log.LogClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code herald verify}: checks a saved record offline, against a JWKS file (signature, {@code typ},
 * {@code iss}, {@code exp}) and, with {@code --state}, against the highest {@code seq} seen; with
 * {@code --log-key}, its inclusion in the mount's log from the proofs saved beside it.
 */
@Command(name = "verify", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Verify a saved record (the JSON herald discover prints, or the bare JWT) offline.")
final class VerifyCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "RECORD_FILE")
    Path recordFile;

    @Option(names = "--jwks", required = true, paramLabel = "FILE", description = "The JWK Set to verify with (herald jwks --out FILE).")
    Path jwks;

    @Option(names = "--state", paramLabel = "DIR", description = "Refuse a record whose seq is lower than the highest seen here; record a higher one.")
    Path state;

    @Option(names = "--mount", paramLabel = "PATH", defaultValue = "herald", description = "The mount the record came from (its iss; default: ${DEFAULT-VALUE}).")
    String mount;

    @Option(names = "--issuer", paramLabel = "ISS", description = "The expected iss, if the mount's config sets one.")
    String issuer;

    @Option(names = "--service", paramLabel = "SERVICE", description = "The service the record must be of (default: any).")
    String service;

    @Mixin
    LogKeyOptions log;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        SignerKeys keys = SignerKeys.parseJwks(read(jwks));
        RecordVerifier.Builder verifier = RecordVerifier.builder()
                .issuer(issuer != null ? issuer : RecordVerifier.defaultIssuer(mount.replaceAll("^/+|/+$", "")));
        if (service != null) {
            verifier.service(service);
        } else {
            verifier.anyService();
        }
        DiscoveryRecord record = Consumer.verifySaved(read(recordFile), keys, verifier.build(),
                state == null ? null : StateDirectory.open(state));
        PrintWriter err = spec.commandLine().getErr();
        if (log.key() != null) {
            LogClient.checkSaved(record, log.key(), log.hook(err));
        } else if (record.logCheckpoint().isPresent()) {
            err.println("herald: the record's log_checkpoint and log_proofs were not checked: give --log-key");
            err.flush();
        }
        Output.print(Json.write(record.toJson()), null);
        return HeraldCli.OK;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new HeraldException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
