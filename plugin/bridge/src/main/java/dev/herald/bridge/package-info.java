/**
 * The go-plugin runtime that serves an sdk plugin to Vault or OpenBao:
 * {@link dev.herald.bridge.PluginServer#serve} in the plugin's {@code main}. Everything else here
 * (handshake, mutual TLS, broker, multiplexing, the translation to and from the wire) is internal;
 * {@link dev.herald.bridge.HostSimulator} plays the server's side in one JVM for tests and for the
 * ahead-of-time training run of a packaged plugin.
 */
package dev.herald.bridge;
