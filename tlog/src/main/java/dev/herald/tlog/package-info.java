/**
 * The verifiable log's formats and algorithms, with the JDK only: what the engine writes and the
 * client (and any monitor or witness) checks. See {@code docs/design-log.md}.
 *
 * <ul>
 *   <li>Tree: {@link dev.herald.tlog.TreeHash} (RFC 6962 leaf and node hashes),
 *       {@link dev.herald.tlog.RightEdge} (append, root), {@link dev.herald.tlog.Proofs} (inclusion
 *       and consistency proofs, made from a {@link dev.herald.tlog.HashSource}, checked as pure
 *       functions).
 *   <li>Tiles ({@code tlog-tiles}, height 8): {@link dev.herald.tlog.TileId} (paths, strictly
 *       parsed), {@link dev.herald.tlog.Tiles}, {@link dev.herald.tlog.EntryBundle},
 *       {@link dev.herald.tlog.TileHashSource} (hashes from tiles, for proofs);
 *       {@link dev.herald.tlog.TreeTail}, the single writer's in-memory tail, whose
 *       {@link dev.herald.tlog.Appended} result lists what to store.
 *   <li>Notes: {@link dev.herald.tlog.SignedNote}, {@link dev.herald.tlog.NoteVerifier} (vkeys),
 *       {@link dev.herald.tlog.NoteSigner}, {@link dev.herald.tlog.Checkpoint},
 *       {@link dev.herald.tlog.SignedCheckpoint}, {@link dev.herald.tlog.Cosignature}
 *       ({@code tlog-cosignature} v1), {@link dev.herald.tlog.TlogProof} ({@code tlog-proof}).
 *   <li>Leaves: {@link dev.herald.tlog.Jcs}, the RFC 8785 subset (objects, strings, integers).
 * </ul>
 *
 * <p>Untrusted input is refused with {@link dev.herald.tlog.MalformedException}; well-formed data
 * that does not verify with {@link dev.herald.tlog.VerificationException}. Both are checked.
 */
package dev.herald.tlog;
