/**
 * A framework for HashiCorp Vault and OpenBao secrets-engine plugins: a {@link dev.herald.sdk.Router}
 * of {@link dev.herald.sdk.Path}s, each declaring its {@link dev.herald.sdk.Field}s, operations and
 * help in one place; the mount's {@link dev.herald.sdk.Storage} and {@link dev.herald.sdk.SystemView};
 * {@link dev.herald.sdk.Lease}s and {@link dev.herald.sdk.Log}. No dependencies and no wire types: the
 * runtime ({@code herald-plugin-runtime}) serves a {@link dev.herald.sdk.BackendFactory} to the server.
 */
package dev.herald.sdk;
