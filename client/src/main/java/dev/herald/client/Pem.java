package dev.herald.client;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** PEM (RFC 7468): one block with a label, base64 in 64-character lines. */
public final class Pem {
    private Pem() {
    }

    /** {@code der} as one PEM block labelled {@code label} (e.g. {@code CERTIFICATE}), ending in a line break. */
    public static String encode(String label, byte[] der) {
        return "-----BEGIN " + label + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + label + "-----\n";
    }

    /**
     * The DER inside the first PEM block of {@code text}, which must be labelled {@code label}.
     *
     * @param source what the text is, for messages (a file name)
     * @throws HeraldException if there is no such block or its body is not base64
     */
    public static byte[] decode(String text, String label, String source) {
        int begin = text.indexOf("-----BEGIN ");
        if (begin < 0) {
            throw new HeraldException(source + " is not PEM (no -----BEGIN line)");
        }
        int labelEnd = text.indexOf("-----", begin + 11);
        if (labelEnd < 0) {
            throw new HeraldException(source + " has a malformed -----BEGIN line");
        }
        String found = text.substring(begin + 11, labelEnd);
        if (!found.equals(label)) {
            throw new HeraldException(source + " holds a PEM block labelled '" + found + "', not '" + label + "'"
                    + hint(found));
        }
        String end = "-----END " + label + "-----";
        int endAt = text.indexOf(end, labelEnd);
        if (endAt < 0) {
            throw new HeraldException(source + " has no " + end + " line");
        }
        String body = text.substring(labelEnd + 5, endAt).replaceAll("\\s", "");
        try {
            return Base64.getDecoder().decode(body);
        } catch (IllegalArgumentException e) {
            throw new HeraldException(source + ": the PEM body is not valid base64");
        }
    }

    private static String hint(String found) {
        return switch (found) {
            case "EC PRIVATE KEY" -> " (a SEC1 key: convert it with openssl pkcs8 -topk8 -nocrypt)";
            case "ENCRYPTED PRIVATE KEY" -> " (an encrypted key: herald needs it unencrypted, protected by the file's permissions)";
            default -> "";
        };
    }
}
