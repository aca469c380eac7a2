package dev.herald.client.cli;

import dev.herald.client.HeraldException;
import dev.herald.client.auth.Secret;
import dev.herald.client.pkcs11.Pkcs11Token;
import javax.net.ssl.KeyManager;

/** Opens the PKCS#11 token that {@link ConnectionOptions}' {@code --pkcs11-*} options name. */
final class Pkcs11Options {
    private Pkcs11Options() {
    }

    /**
     * Opens the token: by label or slot index, logged in with the PIN from {@code --pkcs11-pin-file}
     * or {@value ConnectionOptions#PIN_VARIABLE}. The token stays open for the life of the command (the
     * process), as its keys are used for every TLS handshake.
     */
    static Pkcs11Token open(ConnectionOptions options) {
        Pkcs11Token.Builder builder = Pkcs11Token.builder(options.pkcs11Module);
        if (options.pkcs11Token != null) {
            builder.tokenLabel(options.pkcs11Token);
        } else if (options.pkcs11Slot != null) {
            builder.slotIndex(options.pkcs11Slot);
        } else {
            throw new HeraldException("--pkcs11-module needs --pkcs11-token LABEL or --pkcs11-slot INDEX");
        }
        char[] pin = options.pkcs11PinFile != null ? Pkcs11Token.readPin(options.pkcs11PinFile)
                : Secret.environment(ConnectionOptions.PIN_VARIABLE).value().toCharArray();
        try {
            return builder.open(pin);
        } finally {
            java.util.Arrays.fill(pin, '\0');
        }
    }

    /** The client key and certificate labelled {@code --pkcs11-key-label}, for TLS to the server and mutual TLS. */
    static KeyManager[] keyManagers(ConnectionOptions options) {
        return open(options).keyManagers(ConnectionOptions.required(options.pkcs11KeyLabel, "--pkcs11-key-label"));
    }
}
