package dev.herald.client.testing;

import java.security.cert.X509Certificate;
import javax.net.ssl.X509TrustManager;

/** Trusts any peer, and remembers the certificate it presented last (the test checks it instead). */
public final class CapturingTrust implements X509TrustManager {
    private volatile X509Certificate seen;

    /** The certificate the last peer presented (its own, the first of its chain), or null. */
    public X509Certificate seen() {
        return seen;
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {
        seen = chain[0];
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {
        seen = chain[0];
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }
}
