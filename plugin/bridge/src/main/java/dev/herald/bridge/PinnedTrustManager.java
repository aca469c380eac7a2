package dev.herald.bridge;

import java.net.Socket;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trusts exactly one certificate: the server's one-time certificate from PLUGIN_CLIENT_CERT. Any
 * other peer is refused, whatever signed it. Comparing whole certificates makes host name checks
 * moot: the pinned certificate is the only identity accepted.
 */
final class PinnedTrustManager extends X509ExtendedTrustManager {
    private final X509Certificate pinned;
    private final byte[] pinnedDer;

    PinnedTrustManager(X509Certificate pinned) {
        this.pinned = pinned;
        try {
            this.pinnedDer = pinned.getEncoded();
        } catch (CertificateEncodingException e) {
            throw new IllegalArgumentException("cannot encode the pinned certificate", e);
        }
    }

    private void check(X509Certificate[] chain) throws CertificateException {
        if (chain == null || chain.length == 0) {
            throw new CertificateException("the peer presented no certificate");
        }
        if (!Arrays.equals(chain[0].getEncoded(), pinnedDer)) {
            throw new CertificateException("the peer's certificate is not the one the server gave this plugin "
                    + "(PLUGIN_CLIENT_CERT); refusing the connection");
        }
        chain[0].checkValidity();
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        check(chain);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[] {pinned};
    }
}
