package dev.herald.client.cli;

import dev.herald.client.TokenSource;
import dev.herald.client.VaultClient;
import dev.herald.client.VaultException;
import dev.herald.sdk.Durations;
import dev.herald.sdk.json.Json;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code herald rotation}: how an instance's rotations that await consumers stand (DESIGN §5.8),
 * the answer of {@code rotation/:service/:instance}; with {@code --wait}, waits until none is
 * pending, for deploy scripts that ask "is my rotation complete?".
 */
@Command(name = "rotation", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Print how an instance's rotations that await consumers stand; with --wait, wait until none is pending.",
                "Exit codes with --wait: 0 acknowledged (or nothing awaited), " + HeraldCli.ROTATION_NOT_ACKNOWLEDGED
                        + " ended forced or cancelled, 1 timeout."})
final class RotationCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SERVICE")
    String service;

    @Parameters(index = "1", paramLabel = "INSTANCE")
    String instance;

    @Option(names = "--wait", description = "Wait until no rotation of the instance is pending; print the last answer.")
    boolean await;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "6h", description = "With --wait: give up after this long (exit 1).")
    String timeout;

    @Mixin
    ConnectionOptions connection;

    @Override
    public Integer call() throws InterruptedException {
        VaultClient client = connection.vaultClient();
        TokenSource tokens = connection.tokens(client);
        String path = connection.mount() + "/rotation/" + service + "/" + instance;
        long deadline = System.nanoTime() + Durations.parse(timeout).toNanos();
        while (true) {
            Map<String, Object> answer = read(client, tokens, path);
            List<?> rotations = answer.get("rotations") instanceof List<?> list ? list : List.of();
            boolean pending = rotations.stream().anyMatch(r -> r instanceof Map<?, ?> m && "pending".equals(m.get("state")));
            if (!await || !pending) {
                System.out.println(Json.write(answer));
                if (!await) {
                    return HeraldCli.OK;
                }
                boolean unacknowledged = rotations.stream().anyMatch(r -> r instanceof Map<?, ?> m
                        && List.of("forced", "cancelled", "old_ended").contains(m.get("state")));
                return unacknowledged ? HeraldCli.ROTATION_NOT_ACKNOWLEDGED : HeraldCli.OK;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                System.out.println(Json.write(answer));
                System.err.println("herald: " + service + "/" + instance + " still has a pending rotation after " + timeout);
                return HeraldCli.ERROR;
            }
            Duration poll = rotations.stream().filter(r -> r instanceof Map<?, ?> m && m.get("poll_seconds") instanceof Number)
                    .map(r -> Duration.ofSeconds(((Number) ((Map<?, ?>) r).get("poll_seconds")).longValue()))
                    .min(Duration::compareTo).orElse(Duration.ofSeconds(1));
            Thread.sleep(Math.min(poll.toMillis(), left / 1_000_000 + 1));
        }
    }

    /** The answer's data; a 404 (nothing listed awaits anyone) is an empty list of rotations. */
    private Map<String, Object> read(VaultClient client, TokenSource tokens, String path) {
        try {
            return client.get(path, tokens.token()).data();
        } catch (VaultException e) {
            if (e.status() == 404) {
                return Map.of("service", service, "instance", instance, "rotations", List.of());
            }
            throw e;
        }
    }
}
