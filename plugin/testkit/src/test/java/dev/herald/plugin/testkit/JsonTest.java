package dev.herald.plugin.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void readsWhatTheServersAnswer() {
        Object value = Json.parse(" {\"data\": {\"n\": 7, \"ttl\": 1.5, \"big\": 12345678901234567890, \"ok\": true,"
                + " \"none\": null, \"list\": [\"a\", {}, []], \"text\": \"q\\\"\\\\\\n\\u00e9/\"}} ");
        Map<?, ?> data = (Map<?, ?>) ((Map<?, ?>) value).get("data");
        assertEquals(7L, data.get("n"));
        assertEquals(1.5, data.get("ttl"));
        assertEquals(1.2345678901234567e19, data.get("big"), "too large for a long: a double");
        assertEquals(true, data.get("ok"));
        assertTrue(data.containsKey("none"));
        assertEquals(Arrays.asList("a", Map.of(), List.of()), data.get("list"));
        assertEquals("q\"\\\n\u00e9/", data.get("text"));
        assertEquals(List.of("n", "ttl", "big", "ok", "none", "list", "text"), List.copyOf(data.keySet()),
                "members keep their order");
    }

    @Test
    void writesRequestBodiesThatReadBackTheSame() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", "a \"quoted\"\tvalue\u0001");
        body.put("n", 3);
        body.put("list", List.of(true, 2.5));
        body.put("none", null);
        String text = Json.write(body);
        assertEquals("{\"name\":\"a \\\"quoted\\\"\\tvalue\\u0001\",\"n\":3,\"list\":[true,2.5],\"none\":null}", text);
        assertEquals(Arrays.asList("a \"quoted\"\tvalue\u0001", 3L, List.of(true, 2.5), null),
                new java.util.ArrayList<>(((Map<?, ?>) Json.parse(text)).values()));
    }

    @Test
    void refusesWhatIsNotJsonNamingWhere() {
        for (String bad : List.of("", "{", "{\"a\" 1}", "[1,]", "\"open", "nul", "{} x", "-")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.parse(bad), bad);
            assertTrue(e.getMessage().startsWith("not JSON: ") && e.getMessage().contains(" at offset "), e::getMessage);
        }
        assertThrows(IllegalArgumentException.class, () -> Json.write(new Object()));
    }

    @Test
    void responseHelpersReadDataAndErrors() {
        Response ok = new Response("GET", "/v1/m/x", 200, "{\"data\":{\"k\":\"v\"}}");
        assertEquals(Map.of("k", "v"), ok.assertStatus(200).data());
        Response refused = new Response("POST", "/v1/m/x", 400, "{\"errors\":[\"one\",\"two\"]}");
        assertEquals("one\ntwo", refused.errors());
        AssertionError e = assertThrows(AssertionError.class, () -> refused.assertStatus(204));
        assertTrue(e.getMessage().contains("POST /v1/m/x -> 400"), e::getMessage);
        assertThrows(AssertionError.class, refused::data);
        assertEquals("", new Response("DELETE", "/v1/m/x", 204, "").errors());
    }
}
