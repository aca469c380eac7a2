package dev.herald.client.testing;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The child JVM's side of {@link SoftHsm#checks}: runs named checks in order and prints one line per
 * check ({@code PASS\tname} or {@code FAIL\tname\tmessage}); exits 1 if any failed.
 */
public final class ChildChecks {
    /** A check: throws (an assertion error, say) to fail. */
    public interface Check {
        void run() throws Exception;
    }

    private final Map<String, Check> checks = new LinkedHashMap<>();

    public ChildChecks add(String name, Check check) {
        checks.put(name, check);
        return this;
    }

    /** Runs every check, even after a failure, and exits. */
    public void runAndExit() {
        int failed = 0;
        for (Map.Entry<String, Check> check : checks.entrySet()) {
            try {
                check.getValue().run();
                System.out.println("PASS\t" + check.getKey());
            } catch (Throwable e) {
                failed++;
                e.printStackTrace();
                System.out.println("FAIL\t" + check.getKey() + "\t" + String.valueOf(e).replace("\n", "\\n"));
            }
        }
        System.out.flush();
        System.exit(failed == 0 ? 0 : 1);
    }
}
