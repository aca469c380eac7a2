package dev.herald.it;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a client or operator can see of a Herald mount, for tests that send requests which must
 * change nothing: the given records (their seq and instances, without the time-dependent iat, exp
 * and jti), the service list with counts and sequences, web's history, the config, the role list
 * and the given roles, the signing key and the JWK Set. A test adds what else it must watch.
 */
final class MountSnapshot {
    private MountSnapshot() {
    }

    static Map<String, Object> of(DevServer server, String mount, List<String> records, List<String> roles) {
        Map<String, Object> state = new LinkedHashMap<>();
        for (String record : records) {
            Map<String, Object> data = server.http("GET", mount + "/" + record, null).assertStatus(200).data();
            state.put(record + " seq", data.get("seq"));
            state.put(record + " instances", data.get("instances"));
        }
        state.put("services/", server.http("GET", mount + "/services?list=true", null).assertStatus(200).data());
        state.put("history/web", server.http("GET", mount + "/history/web", null).assertStatus(200).data());
        state.put("config", server.http("GET", mount + "/config", null).assertStatus(200).data());
        state.put("roles/", server.http("GET", mount + "/roles?list=true", null).assertStatus(200).data().get("keys"));
        for (String role : roles) {
            state.put("roles/" + role, server.http("GET", mount + "/roles/" + role, null).assertStatus(200).data());
        }
        state.put("signer", server.http("GET", mount + "/signer", null).assertStatus(200).data());
        state.put("jwks", server.httpWithoutToken("GET", mount + "/jwks").assertStatus(200).data());
        return state;
    }
}
