/**
 * Stand-ins for the server's storage and system view, for unit tests of a plugin's paths without a
 * server.
 */
package dev.herald.sdk.testing;
