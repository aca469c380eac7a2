package dev.herald.client.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;

/**
 * A private SoftHSM2 token directory for tests. SoftHSM reads {@code SOFTHSM2_CONF} when the module
 * is loaded, and SunPKCS11 loads it into the JVM for good, so the PKCS#11 checks run in a child JVM
 * started with that variable ({@link ChildChecks} on the test class path); each of its checks comes
 * back as one JUnit test.
 */
public final class SoftHsm {
    public static final Path MODULE = Path.of("/usr/lib/softhsm/libsofthsm2.so");
    public static final String PIN = "4711-test";
    private static final Path UTIL = Path.of("/usr/bin/softhsm2-util");

    private final Path dir;
    private final Path config;

    /** A token directory and configuration under {@code dir}. */
    public SoftHsm(Path dir) throws IOException {
        this.dir = dir;
        Path tokens = Files.createDirectories(dir.resolve("tokens"));
        this.config = dir.resolve("softhsm2.conf");
        Files.writeString(config, "directories.tokendir = " + tokens + "\nobjectstore.backend = file\nlog.level = ERROR\n");
    }

    /** Whether SoftHSM2 is installed (the tests are skipped only when it is not). */
    public static boolean available() {
        return Files.isRegularFile(MODULE) && Files.isExecutable(UTIL);
    }

    /** Initialises a token in the next free slot, with user PIN {@link #PIN}. */
    public void initToken(String label) throws Exception {
        String output = run(List.of(UTIL.toString(), "--init-token", "--free", "--label", label, "--pin", PIN,
                "--so-pin", "so-" + PIN), 30);
        if (!output.contains("initialized")) {
            fail("softhsm2-util did not initialise the token: " + output);
        }
    }

    /** A file holding the PIN, as the CLI reads it. */
    public Path pinFile() throws IOException {
        Path file = dir.resolve("pin");
        Files.writeString(file, PIN + "\n");
        return file;
    }

    /**
     * The checks of {@code main} against new tokens labelled {@code tokenLabels} under {@code dir}
     * (skipped where SoftHSM2 is not installed). {@code main} runs in a child JVM and gets the
     * module, the PIN file and {@code dir} as its arguments.
     */
    public static List<DynamicTest> checks(Path dir, Class<?> main, String... tokenLabels) throws Exception {
        Assumptions.assumeTrue(available(), "SoftHSM2 is not installed");
        SoftHsm hsm = new SoftHsm(dir);
        for (String label : tokenLabels) {
            hsm.initToken(label);
        }
        return hsm.checks(main, MODULE.toString(), hsm.pinFile().toString(), dir.toString());
    }

    /**
     * Runs {@code main} in a child JVM with {@code SOFTHSM2_CONF} set; its checks become the returned
     * tests (and a last one asserting the child ended normally).
     */
    private List<DynamicTest> checks(Class<?> main, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx192m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
        builder.environment().put("SOFTHSM2_CONF", config.toString());
        Process child = builder.start();
        child.getOutputStream().close();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        boolean ended = child.waitFor(120, TimeUnit.SECONDS);
        if (!ended) {
            child.destroyForcibly();
        }
        List<DynamicTest> tests = new ArrayList<>();
        for (String line : output.split("\n")) {
            String[] parts = line.split("\t", 3);
            if (parts.length >= 2 && (parts[0].equals("PASS") || parts[0].equals("FAIL"))) {
                String detail = parts.length == 3 ? parts[2].replace("\\n", "\n") : "";
                tests.add(DynamicTest.dynamicTest(parts[1], () -> {
                    if (parts[0].equals("FAIL")) {
                        fail(detail);
                    }
                }));
            }
        }
        int exit = ended ? child.exitValue() : -1;
        tests.add(DynamicTest.dynamicTest("the child JVM ran every check", () ->
                assertEquals(0, exit, "exit code; its output:\n" + output)));
        return tests;
    }

    private String run(List<String> command, int seconds) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("SOFTHSM2_CONF", config.toString());
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(seconds, TimeUnit.SECONDS) || process.exitValue() != 0) {
            fail(command.get(0) + " failed: " + output);
        }
        return output;
    }
}
