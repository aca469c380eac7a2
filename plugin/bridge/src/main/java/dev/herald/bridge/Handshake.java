package dev.herald.bridge;

import java.util.Base64;

/**
 * The one line a plugin prints on stdout once it is listening, which tells the server how to
 * reach it: {@code 1|5|unix|/path/to.sock|grpc|<base64 DER of our certificate>}.
 */
final class Handshake {
    private Handshake() {
    }

    /**
     * @param muxRequested whether the server asked for broker multiplexing; only then is a 7th
     *                     field printed (older servers split the line into at most six parts).
     *                     We do not implement yamux, so the answer is {@code false}.
     */
    static String line(String socketPath, byte[] certificateDer, boolean muxRequested) {
        if (socketPath.contains("|") || socketPath.contains("\n")) {
            throw new IllegalArgumentException("socket path cannot contain '|' or a newline: " + socketPath);
        }
        // Go decodes the certificate with the unpadded standard alphabet.
        String certificate = Base64.getEncoder().withoutPadding().encodeToString(certificateDer);
        return "1|" + PluginEnvironment.PROTOCOL_VERSION + "|unix|" + socketPath + "|grpc|" + certificate
                + (muxRequested ? "|false" : "");
    }
}
