package dev.herald.it;

import com.nimbusds.jose.jwk.JWKSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A Herald mount set up for publishing, as the integration tests use it: a jwt auth method whose
 * tokens map the {@code pod_uid} claim into alias metadata, a publisher policy with the given
 * capabilities on {@code publish/*}, and a role {@code web} binding the instance to pod_uid.
 */
public final class PublishingMount {
    final DevServer server;
    final String mount;
    final JwtIssuer issuer;

    PublishingMount(Herald herald, String name, String capabilities, String roleOptions) {
        server = herald.server();
        mount = herald.enable(name);
        issuer = JwtIssuer.enable(server, "jwt-" + name);
        JwtIssuer.policy(server, name + "-publisher", "path \"" + mount + "/publish/*\" { capabilities = "
                + capabilities + " }\npath \"" + mount + "/discover/*\" { capabilities = [\"read\"] }\n");
        issuer.role("pods", List.of(name + "-publisher"), Map.of("pod_uid", "pod_uid"));
        List<String> role = new ArrayList<>(List.of("write", mount + "/roles/web", "services=web",
                "instance={{alias.metadata.pod_uid}}", "bound_mount_accessor=" + issuer.mountAccessor(),
                "allowed_dns_names=*.web.internal", "allowed_cidrs=10.0.0.0/8", "allowed_ports=8443"));
        if (!roleOptions.isEmpty()) {
            role.addAll(List.of(roleOptions.split(" ")));
        }
        server.cli(role.toArray(String[]::new)).assertSuccess();
    }

    JwtIssuer.Login pod(String uid) {
        return issuer.login("pods", "system:serviceaccount:prod:" + uid, Map.of("pod_uid", uid));
    }

    HttpResult publish(JwtIssuer.Login login, String instance, Publisher key, Map<String, Object> extra) {
        Map<String, Object> body = new HashMap<>();
        body.put("role", "web");
        body.put("csr", key.csrPem());
        body.put("endpoints", List.of(instance + ".web.internal:8443"));
        body.put("ip_addresses", List.of("10.0.0.7"));
        body.put("metadata", Map.of("zone", "a"));
        body.putAll(extra);
        return server.http("POST", mount + "/publish/web/" + instance, body, login.token());
    }

    Map<String, Object> discover() {
        return server.http("GET", mount + "/discover/web", null).assertStatus(200).data();
    }

    long seq() {
        return ((Number) discover().get("seq")).longValue();
    }

    JWKSet jwks() throws Exception {
        return JWKSet.parse(server.httpWithoutToken("GET", mount + "/jwks").assertStatus(200).data());
    }
}
