package dev.herald.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The programs that check a mount's verifiable log from outside, run as a client runs them: the
 * packaged {@code herald} CLI and the independent Go verifier {@code test-it/go/tlogcheck}. Neither
 * gets a server variable: the log's paths are unauthenticated (only {@link #heraldWithToken}, for
 * reading records, is given the root token). Each run's output is kept in the given directory as
 * {@code NAME.out} and {@code NAME.err}.
 */
final class LogCommands {
    private final String address;
    private final String rootToken;
    private final String mount;
    private final Path dir;

    /** Runs against {@code mount} of {@code server}, keeping outputs in {@code dir} (made, emptied first). */
    LogCommands(DevServer server, String mount, Path dir) throws Exception {
        this(server.address(), server.rootToken(), mount, dir);
    }

    /** Runs against {@code mount} of the server at {@code address} (e.g. a raft node's), whose root token is {@code rootToken}. */
    LogCommands(String address, String rootToken, String mount, Path dir) throws Exception {
        this.address = address;
        this.rootToken = rootToken;
        this.mount = mount;
        this.dir = dir;
        DevServer.deleteTree(dir);
        Files.createDirectories(dir);
    }

    Path dir() {
        return dir;
    }

    /** The log's tlog-tiles prefix: {@code http://ADDRESS/v1/MOUNT/log/}. */
    String prefix() {
        return address + "/v1/" + mount + "/log/";
    }

    /** {@code herald ARGS... --mount MOUNT --address ADDRESS}, e.g. {@code log verify --state DIR}: no token. */
    CliResult herald(String name, String... args) throws Exception {
        return run(name, heraldCommand(args), Map.of());
    }

    /** As {@link #herald}, with the root token in {@code VAULT_TOKEN}: for {@code discover}, which reads a record. */
    CliResult heraldWithToken(String name, String... args) throws Exception {
        return run(name, heraldCommand(args), Map.of("VAULT_TOKEN", rootToken));
    }

    /** {@code herald ARGS...} as given: for the offline {@code verify}, which reaches no server. */
    CliResult heraldOffline(String name, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Project.root().resolve("target/client/herald").toString());
        command.addAll(List.of(args));
        return run(name, command, Map.of());
    }

    private List<String> heraldCommand(String... args) {
        List<String> command = new ArrayList<>();
        command.add(Project.root().resolve("target/client/herald").toString());
        command.addAll(List.of(args));
        command.addAll(List.of("--mount", mount, "--address", address));
        return command;
    }

    /**
     * {@code tlogcheck fetch PREFIX INCLUSIONS CONSISTENCIES}: golang.org/x/mod's sumdb/note and sumdb/tlog
     * check the checkpoint's signature, every tile and bundle, and the inclusion proofs of about
     * {@code inclusions} leaves and the consistency proofs from about {@code consistencies} sizes.
     */
    CliResult tlogcheck(int inclusions, int consistencies) throws Exception {
        return run("tlogcheck", List.of("go", "run", ".", "fetch", prefix(), String.valueOf(inclusions),
                String.valueOf(consistencies)), Map.of());
    }

    private CliResult run(String name, List<String> command, Map<String, String> variables) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(command.getFirst().equals("go") ? Project.root().resolve("test-it/go/tlogcheck").toFile() : dir.toFile())
                .redirectOutput(dir.resolve(name + ".out").toFile()).redirectError(dir.resolve(name + ".err").toFile());
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(ServerKind::isServerVariable);
        env.put("JAVA_HOME", Path.of(System.getProperty("java.home")).toString());
        // The Go program's one dependency (golang.org/x/mod) comes from the module cache: never the network.
        env.put("GOFLAGS", "-mod=mod");
        env.put("GOPROXY", "off");
        env.putAll(variables);
        Process process = builder.start();
        process.getOutputStream().close();
        assertTrue(process.waitFor(180, TimeUnit.SECONDS), () -> name + " did not finish in 180 s");
        return new CliResult(command, process.exitValue(), Files.readString(dir.resolve(name + ".out")),
                Files.readString(dir.resolve(name + ".err")));
    }
}
