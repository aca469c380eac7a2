package dev.herald.tlog;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A C2SP signed note: a text ending in a newline, a blank line, and one or more signature lines.
 * Parsing is strict (valid UTF-8, no control characters but newline, well-formed signature lines,
 * at most {@link #MAX_SIGNATURES} of them, at most {@link #MAX_BYTES} bytes), because notes come
 * from servers and witnesses nobody has to trust.
 *
 * @param text the note text, including its final newline
 * @param signatures the signature lines, in order
 */
public record SignedNote(String text, List<NoteSignature> signatures) {
    /** Notes larger than this are refused before parsing (a checkpoint with 100 cosignatures is ~15 KB). */
    public static final int MAX_BYTES = 64 * 1024;
    /** More signature lines than this are refused (signed-note requires accepting at least 16). */
    public static final int MAX_SIGNATURES = 100;

    private static final String SIG_PREFIX = "\u2014 ";

    /**
     * Checks the components.
     *
     * @throws IllegalArgumentException if the text does not end in a newline or has a forbidden character, or there is no signature
     */
    public SignedNote {
        signatures = List.copyOf(signatures);
        if (!isValidText(text)) {
            throw new IllegalArgumentException("a note text ends in a newline and has no control character but newline");
        }
        if (signatures.isEmpty()) {
            throw new IllegalArgumentException("a signed note has at least one signature");
        }
    }

    /**
     * {@return the note signed by it}
     *
     * @param text a note text ending in a newline
     * @param signer the first signer
     */
    public static SignedNote sign(String text, NoteSigner signer) {
        return new SignedNote(text, List.of(signer.sign(text)));
    }

    /**
     * {@return this note with {@code s} appended, replacing an earlier line by the same name and key id}
     *
     * @param s another signature (e.g. a cosignature)
     */
    public SignedNote with(NoteSignature s) {
        List<NoteSignature> out = new ArrayList<>();
        for (NoteSignature t : signatures) {
            if (!(t.name().equals(s.name()) && t.keyId() == s.keyId())) {
                out.add(t);
            }
        }
        out.add(s);
        return new SignedNote(text, out);
    }

    /** {@return the note as it is sent: text, blank line, signature lines} */
    public String encode() {
        StringBuilder b = new StringBuilder(text).append('\n');
        for (NoteSignature s : signatures) {
            b.append(s.line());
        }
        return b.toString();
    }

    /** {@return {@link #encode()} in UTF-8} */
    public byte[] bytes() {
        return encode().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Verifies the note against known log keys (type 0x01): signatures by other keys are ignored (they
     * may be witnesses', or a rotated key's); a signature by a known key must verify.
     *
     * @param known the trusted verifiers; cosigner keys among them are ignored here
     * @return the known keys whose signatures verified (at least one)
     * @throws VerificationException if a known key's signature fails, or no known key signed
     */
    public List<NoteVerifier> verify(Collection<NoteVerifier> known) throws VerificationException {
        Set<NoteVerifier> ok = new LinkedHashSet<>();
        byte[] message = text.getBytes(StandardCharsets.UTF_8);
        for (NoteSignature s : signatures) {
            for (NoteVerifier v : known) {
                if (v.type() != NoteVerifier.ED25519 || !s.isBy(v)) {
                    continue;
                }
                if (!v.verifies(message, s.signature())) {
                    throw new VerificationException("the signature by " + v.name() + " does not verify");
                }
                ok.add(v);
            }
        }
        if (ok.isEmpty()) {
            throw new VerificationException("no known key signed this note");
        }
        return List.copyOf(ok);
    }

    /**
     * {@return the parsed note (signatures not yet verified: see {@link #verify})}
     *
     * @param note the note's bytes, as received
     * @throws MalformedException if it is not a well-formed signed note
     */
    public static SignedNote parse(byte[] note) throws MalformedException {
        if (note.length > MAX_BYTES) {
            throw new MalformedException("a note of more than " + MAX_BYTES + " bytes");
        }
        return parse(Encoding.utf8(note, "a note"));
    }

    /**
     * {@return the parsed note (signatures not yet verified: see {@link #verify})}
     *
     * @param note the note's text
     * @throws MalformedException if it is not a well-formed signed note
     */
    public static SignedNote parse(String note) throws MalformedException {
        if (note.length() > MAX_BYTES) {
            throw new MalformedException("a note of more than " + MAX_BYTES + " bytes");
        }
        if (!isValidText(note)) {
            throw new MalformedException("a note has a control character, an unpaired surrogate, or no final newline");
        }
        int split = note.lastIndexOf("\n\n");
        if (split < 0) {
            throw new MalformedException("a note without a signature block");
        }
        String text = note.substring(0, split + 1), block = note.substring(split + 2);
        if (block.isEmpty()) {
            throw new MalformedException("a note without a signature");
        }
        List<NoteSignature> sigs = new ArrayList<>();
        int at = 0;
        while (at < block.length()) {
            int nl = block.indexOf('\n', at);
            String line = block.substring(at, nl);
            at = nl + 1;
            if (sigs.size() == MAX_SIGNATURES) {
                throw new MalformedException("more than " + MAX_SIGNATURES + " signatures");
            }
            if (!line.startsWith(SIG_PREFIX)) {
                throw new MalformedException("a signature line does not start with an em dash and a space");
            }
            int space = line.indexOf(' ', SIG_PREFIX.length());
            if (space < 0) {
                throw new MalformedException("a signature line without a signature");
            }
            String name = line.substring(SIG_PREFIX.length(), space);
            if (!isValidKeyName(name)) {
                throw new MalformedException("a signature line with an invalid key name");
            }
            byte[] payload = Encoding.base64(line.substring(space + 1), "signature");
            if (payload.length < 5) {
                throw new MalformedException("a signature shorter than a key id and one byte");
            }
            int id = (payload[0] & 0xff) << 24 | (payload[1] & 0xff) << 16 | (payload[2] & 0xff) << 8 | (payload[3] & 0xff);
            sigs.add(new NoteSignature(name, id, Arrays.copyOfRange(payload, 4, payload.length)));
        }
        return new SignedNote(text, sigs);
    }

    /**
     * Key names are non-empty and have no Unicode space and no {@code +} (the vkey separator).
     *
     * @param name a candidate
     * @return whether it is a valid key name
     */
    public static boolean isValidKeyName(String name) {
        if (name == null || name.isEmpty() || !Encoding.isWellFormed(name)) {
            return false;
        }
        return name.codePoints().noneMatch(c -> c == '+' || c < 0x20 || Character.isWhitespace(c) || Character.isSpaceChar(c) || c == 0x85);
    }

    private static boolean isValidText(String text) {
        if (text.isEmpty() || text.charAt(text.length() - 1) != '\n' || !Encoding.isWellFormed(text)) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 && c != '\n') {
                return false;
            }
        }
        return true;
    }
}
