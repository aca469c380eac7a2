package dev.herald.tlog;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/** Strict decoders shared by the text formats. */
final class Encoding {
    private Encoding() {}

    /**
     * Standard base64 with padding, and canonical: the JDK's decoder accepts non-zero trailing
     * bits, which would give one value two spellings; re-encoding and comparing refuses those.
     */
    static byte[] base64(String text, String what) throws MalformedException {
        byte[] b;
        try {
            b = Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new MalformedException(what + " is not standard base64");
        }
        if (!Base64.getEncoder().encodeToString(b).equals(text)) {
            throw new MalformedException(what + " is not canonical base64");
        }
        return b;
    }

    /**
     * A non-negative decimal without leading zeros (except "0") that fits a long, as checkpoints,
     * proofs and tile paths write sizes and indices.
     */
    static long decimal(String text, String what) throws MalformedException {
        if (text.isEmpty() || text.length() > 19) {
            throw new MalformedException(what + " is not a decimal number");
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                throw new MalformedException(what + " is not a decimal number");
            }
        }
        if (text.length() > 1 && text.charAt(0) == '0') {
            throw new MalformedException(what + " has a leading zero");
        }
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new MalformedException(what + " is too large");
        }
    }

    /** Decodes UTF-8, refusing malformed sequences (the JDK's default would replace them). */
    static String utf8(byte[] bytes, String what) throws MalformedException {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new MalformedException(what + " is not valid UTF-8");
        }
    }

    /** No unpaired surrogate: the string has exactly one UTF-8 encoding. */
    static boolean isWellFormed(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = Arrays.copyOf(parts[0], n);
        int at = parts[0].length;
        for (int i = 1; i < parts.length; i++) {
            System.arraycopy(parts[i], 0, out, at, parts[i].length);
            at += parts[i].length;
        }
        return out;
    }
}
