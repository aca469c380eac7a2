package dev.herald.plugin.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;
import org.junit.platform.engine.discovery.DiscoverySelectors;

/**
 * A test that fails on a server: its failure carries the end of the server log, and the server is
 * closed all the same when the class is done, with its processes and its work directory.
 */
@Timeout(120)
class FailingTestCleanupTest {

    private static final List<ProcessHandle> PROCESSES = new CopyOnWriteArrayList<>();
    private static final List<Path> WORK_DIRECTORIES = new CopyOnWriteArrayList<>();

    /** Run only by the launcher below (surefire leaves nested classes alone). */
    static class FailsOnEachServer {
        @RegisterExtension
        static final DevServerExtension SERVERS = DevServerExtension.builder().build();

        @ServerTest
        void failsOnPurpose(DevServer server, Client client) {
            client.post("sys/mounts/kv-failing", java.util.Map.of("type", "kv")).assertStatus(204);
            PROCESSES.add(server.processHandle());
            WORK_DIRECTORIES.add(server.workDirectory());
            throw new AssertionError("failing on purpose");
        }
    }

    @Test
    void theFailureCarriesTheLogTailAndTheServerIsClosedAfterTheClass() {
        List<ServerType> available = Arrays.stream(ServerType.values())
                .filter(t -> FailsOnEachServer.SERVERS.binary(t).isPresent()).toList();
        assumeFalse(available.isEmpty(), "no server binary found");
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(DiscoverySelectors.selectClass(FailsOnEachServer.class)).build();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();

        LauncherFactory.create().execute(request, listener);

        List<TestExecutionSummary.Failure> failures = listener.getSummary().getFailures();
        assertEquals(available.size(), failures.size(), () -> "one failure per server: " + failures);
        for (TestExecutionSummary.Failure failure : failures) {
            Throwable thrown = failure.getException();
            assertEquals("failing on purpose", thrown.getMessage());
            assertTrue(Stream.of(thrown.getSuppressed()).anyMatch(s -> s.getMessage().contains(", last lines of ")
                    && s.getMessage().contains("kv-failing")), () -> "the log tail is attached: "
                    + Arrays.toString(thrown.getSuppressed()));
        }
        assertEquals(available.size(), PROCESSES.size());
        for (ProcessHandle server : PROCESSES) {
            assertFalse(server.isAlive(), () -> "server left running: " + DevServer.describe(List.of(server)));
        }
        for (Path work : WORK_DIRECTORIES) {
            assertFalse(Files.exists(work), () -> "work directory left: " + work);
        }
    }
}
