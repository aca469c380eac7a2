/**
 * A strict JSON codec (RFC 8259, nesting at most {@link dev.herald.sdk.json.Json#MAX_DEPTH} deep) for request bodies and stored
 * values, so that the sdk needs no JSON library.
 */
package dev.herald.sdk.json;
