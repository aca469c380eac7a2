package dev.herald.bridge;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * Presents the process's one TLS identity, as server and as client. Given a key and certificate
 * instead, Netty would build a PKCS#12 key store for them, which encrypts the key with 10,000
 * rounds of PBKDF2: a cost the plugin would pay at every start, before its handshake.
 */
final class SingleKeyManager extends X509ExtendedKeyManager {
    private static final String ALIAS = "herald";

    private final TlsIdentity identity;

    SingleKeyManager(TlsIdentity identity) {
        this.identity = identity;
    }

    private String aliasFor(String keyType) {
        return keyType == null || keyType.equals(identity.privateKey().getAlgorithm()) ? ALIAS : null;
    }

    private String aliasForAny(String[] keyTypes) {
        if (keyTypes == null) {
            return ALIAS;
        }
        for (String keyType : keyTypes) {
            if (aliasFor(keyType) != null) {
                return ALIAS;
            }
        }
        return null;
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return aliasFor(keyType) == null ? null : new String[] {ALIAS};
    }

    @Override
    public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
        return aliasForAny(keyTypes);
    }

    @Override
    public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
        return aliasForAny(keyTypes);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return aliasFor(keyType) == null ? null : new String[] {ALIAS};
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return aliasFor(keyType);
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return aliasFor(keyType);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        return ALIAS.equals(alias) ? new X509Certificate[] {identity.certificate()} : null;
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        return ALIAS.equals(alias) ? identity.privateKey() : null;
    }
}
