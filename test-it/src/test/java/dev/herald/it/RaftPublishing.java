package dev.herald.it;

import com.nimbusds.jose.jwk.JWKSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The publishing set-up of {@link PublishingMount} on a {@link RaftCluster}: a jwt auth method
 * whose tokens map the {@code pod_uid} claim into alias metadata, a publisher policy, and a Herald
 * role {@code web} binding the instance to the pod_uid. Set up once through one node (it is
 * replicated); logins, publishes and reads then go through whichever node the test names.
 */
final class RaftPublishing {
    static final String SERVICE = "web";

    final String mount;
    final JwtIssuer issuer;

    RaftPublishing(ServerHttp setupNode, String mount) {
        this(setupNode, mount, Map.of());
    }

    /** As {@link #RaftPublishing(ServerHttp, String)}, with more fields for the role (e.g. its {@code ttl}). */
    RaftPublishing(ServerHttp setupNode, String mount, Map<String, Object> roleFields) {
        this.mount = mount;
        issuer = JwtIssuer.enable(setupNode, "jwt-" + mount);
        JwtIssuer.policy(setupNode, mount + "-publisher", "path \"" + mount + "/publish/*\" {\n"
                + "  capabilities = [\"create\", \"update\"]\n}\n"
                + "path \"" + mount + "/discover/*\" {\n  capabilities = [\"read\"]\n}\n");
        issuer.role("pods", List.of(mount + "-publisher"), Map.of("pod_uid", "pod_uid"));
        Map<String, Object> fields = new HashMap<>(Map.of(
                "services", SERVICE,
                "instance", "{{alias.metadata.pod_uid}}",
                "bound_mount_accessor", issuer.mountAccessor(),
                "allowed_dns_names", "*.web.internal",
                "allowed_cidrs", "10.0.0.0/8",
                "allowed_ports", "8443"));
        fields.putAll(roleFields);
        HttpResult role = setupNode.http("POST", mount + "/roles/" + SERVICE, fields);
        if (role.status() != 200 && role.status() != 204) {
            throw new AssertionError("cannot write the role: " + role);
        }
    }

    /** The pod {@code uid} logs in through {@code node}; the answer, unchecked (its token: {@link #token}). */
    HttpResult login(ServerHttp node, String uid) {
        String jwt = issuer.mint("system:serviceaccount:prod:" + uid, Map.of("pod_uid", uid));
        return node.http("POST", "auth/" + issuer.path() + "/login", Map.of("role", "pods", "jwt", jwt), null);
    }

    /** The client token of a successful login. */
    static String token(HttpResult login) {
        return (String) Json.at(login.assertStatus(200).json(), "auth", "client_token");
    }

    /** The pod publishes {@code key} as instance {@code uid} through {@code node}, with its login token; unchecked. */
    HttpResult publish(ServerHttp node, String token, String uid, Publisher key) {
        return publish(node, token, uid, key, Map.of());
    }

    /** As {@link #publish(ServerHttp, String, String, Publisher)}, with more fields (e.g. {@code continuity}). */
    HttpResult publish(ServerHttp node, String token, String uid, Publisher key, Map<String, Object> extra) {
        Map<String, Object> body = new HashMap<>(Map.of(
                "role", SERVICE,
                "csr", key.csrPem(),
                "endpoints", List.of(uid + ".web.internal:8443"),
                "ip_addresses", List.of("10.0.0.7")));
        body.putAll(extra);
        return node.http("POST", mount + "/publish/" + SERVICE + "/" + uid, body, token);
    }

    /** {@code discover/web} through {@code node}, unchecked. */
    HttpResult discover(ServerHttp node) {
        return node.http("GET", mount + "/discover/" + SERVICE, null);
    }

    /** The mount's JWK Set, read through {@code node} without a token. */
    JWKSet jwks(ServerHttp node) throws Exception {
        return JWKSet.parse(node.httpWithoutToken("GET", mount + "/jwks").assertStatus(200).data());
    }

    /** The {@code events} of {@code history/web} through {@code node}. */
    List<?> history(ServerHttp node) {
        return (List<?>) node.http("GET", mount + "/history/" + SERVICE + "?limit=10000", null).assertStatus(200).data().get("events");
    }

    /** The record's issuer: the mount path with a slash, the default {@code issuer}. */
    String recordIssuer() {
        return mount + "/";
    }
}
