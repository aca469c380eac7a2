package dev.herald.client.pkcs11;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/** Presents one token key and its certificate chain, whatever the peer asks for, if the key type fits. */
final class LabelKeyManager extends X509ExtendedKeyManager {
    private final String label;
    private final PrivateKey key;
    private final X509Certificate[] chain;

    LabelKeyManager(String label, PrivateKey key, List<X509Certificate> chain) {
        this.label = label;
        this.key = key;
        this.chain = chain.toArray(new X509Certificate[0]);
    }

    /** The TLS code names key types by algorithm ("EC"), or for TLS 1.2 suites with the signer ("EC_EC"). */
    private String fitting(String... keyTypes) {
        String algorithm = chain[0].getPublicKey().getAlgorithm();
        for (String type : keyTypes == null ? new String[0] : keyTypes) {
            if (type.equals(algorithm) || type.startsWith(algorithm + "_")) {
                return label;
            }
        }
        return null;
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return fitting(keyType) == null ? null : new String[] {label};
    }

    @Override
    public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
        return fitting(keyTypes);
    }

    @Override
    public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
        return fitting(keyTypes);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return getClientAliases(keyType, issuers);
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return fitting(keyType);
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return fitting(keyType);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        return label.equals(alias) ? chain.clone() : null;
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        return label.equals(alias) ? key : null;
    }
}
