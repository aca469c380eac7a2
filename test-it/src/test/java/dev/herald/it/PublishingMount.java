package dev.herald.it;

import com.nimbusds.jose.jwk.JWKSet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
    private final String name;

    PublishingMount(Herald herald, String name, String capabilities, String roleOptions) {
        server = herald.server();
        this.name = name;
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

    /**
     * For acknowledged rotation (docs/design-ack.md): a consumer policy (read on discover/* and
     * signer, update and delete on ack/*) behind the jwt role {@code consumers}, whose tokens get
     * one entity per {@code sub}; and read on rotation/* for the publishers' role {@code pods}.
     */
    void acknowledgingConsumers() {
        JwtIssuer.policy(server, name + "-consumer", "path \"" + mount + "/discover/*\" { capabilities = [\"read\"] }\n"
                + "path \"" + mount + "/signer\" { capabilities = [\"read\"] }\n"
                + "path \"" + mount + "/ack/*\" { capabilities = [\"update\", \"delete\"] }\n");
        JwtIssuer.policy(server, name + "-rotation", "path \"" + mount + "/rotation/*\" { capabilities = [\"read\"] }\n");
        issuer.role("pods", List.of(name + "-publisher", name + "-rotation"), Map.of("pod_uid", "pod_uid"));
        issuer.role("consumers", List.of(name + "-consumer"), Map.of());
    }

    /** A JWT for {@code subject} with {@code claims}, in a file of {@code dir} (for a process's --jwt-file). */
    Path jwtFile(Path dir, String subject, Map<String, Object> claims) throws IOException {
        Path file = dir.resolve(subject.replace(':', '_') + ".jwt");
        Files.writeString(file, issuer.mint(subject, claims));
        return file;
    }
}
