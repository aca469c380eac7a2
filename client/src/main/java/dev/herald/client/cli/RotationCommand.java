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
        Map<?, ?> waitedFor = null; // the rotation that was pending when the wait began, as last seen
        while (true) {
            Map<String, Object> answer = read(client, tokens, path);
            List<Map<?, ?>> rotations = (answer.get("rotations") instanceof List<?> list ? list : List.of()).stream()
                    .filter(r -> r instanceof Map<?, ?>).<Map<?, ?>>map(r -> (Map<?, ?>) r).toList();
            if (!await) {
                System.out.println(Json.write(answer));
                return HeraldCli.OK;
            }
            Map<?, ?> current;
            if (waitedFor == null) {
                // the wait is for the rotation pending now; a later one (the publisher rotating again) is another's
                current = rotations.stream().filter(r -> "pending".equals(r.get("state"))).findFirst().orElse(null);
                if (current == null) {
                    System.out.println(Json.write(answer));
                    return rotations.stream().anyMatch(RotationCommand::unacknowledged)
                            ? HeraldCli.ROTATION_NOT_ACKNOWLEDGED : HeraldCli.OK;
                }
            } else {
                Object from = waitedFor.get("from_generation");
                current = rotations.stream().filter(r -> from.equals(r.get("from_generation"))).findFirst().orElse(null);
                if (current == null) {
                    // no longer listed: its old key left; how it ended is in history (a forced end is dated
                    // max_end, when the old key leaves, so rotation/ rarely shows "forced" itself)
                    System.out.println(Json.write(Map.of("service", service, "instance", instance, "rotations", List.of(waitedFor))));
                    return endedAcknowledged(client, tokens, waitedFor) ? HeraldCli.OK : HeraldCli.ROTATION_NOT_ACKNOWLEDGED;
                }
                if (!"pending".equals(current.get("state"))) {
                    System.out.println(Json.write(answer));
                    return unacknowledged(current) ? HeraldCli.ROTATION_NOT_ACKNOWLEDGED : HeraldCli.OK;
                }
            }
            waitedFor = current;
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                System.out.println(Json.write(answer));
                System.err.println("herald: " + service + "/" + instance + " still has a pending rotation after " + timeout);
                return HeraldCli.ERROR;
            }
            Duration poll = current.get("poll_seconds") instanceof Number seconds ? Duration.ofSeconds(seconds.longValue())
                    : Duration.ofSeconds(1);
            Thread.sleep(Math.min(poll.toMillis(), left / 1_000_000 + 1));
        }
    }

    private static boolean unacknowledged(Map<?, ?> rotation) {
        return List.of("forced", "cancelled", "old_ended").contains(rotation.get("state"));
    }

    /**
     * Whether the rotation from {@code rotation}'s old generation ended acknowledged, by its
     * {@code rotation_end} in the service's history; without read on history/, by its time: a
     * rotation that was still pending at its max_end was forced.
     */
    private boolean endedAcknowledged(VaultClient client, TokenSource tokens, Map<?, ?> rotation) {
        long from = ((Number) rotation.get("from_generation")).longValue();
        try {
            long next = 0;
            String outcome = null;
            while (next >= 0) {
                Map<String, Object> page = client.get(connection.mount() + "/history/" + service + "?from=" + next
                        + "&limit=10000", tokens.token()).data();
                for (Object event : page.get("events") instanceof List<?> events ? events : List.of()) {
                    if (event instanceof Map<?, ?> e && "rotation_end".equals(e.get("type")) && instance.equals(e.get("instance"))
                            && e.get("generation") instanceof Number g && g.longValue() == from) {
                        outcome = String.valueOf(e.get("detail"));
                    }
                }
                next = page.get("next") instanceof Number n ? n.longValue() : -1;
            }
            if (outcome != null) {
                System.err.println("herald: " + service + "/" + instance + " rotation from generation " + from + ": " + outcome);
                return outcome.startsWith("acknowledged");
            }
        } catch (VaultException e) {
            System.err.println("herald: cannot read the history of " + service + " (" + e.getMessage()
                    + "); judging by max_end");
        }
        long maxEnd = ((Number) rotation.get("max_end")).longValue();
        return java.time.Instant.now().getEpochSecond() < maxEnd;
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
