package com.example.kvlease;

import dev.herald.sdk.Storage;
import dev.herald.sdk.json.Json;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** The stored secrets: a value and the TTL of the leases it is read under, as JSON under secrets/. */
final class Secrets {
    static final String PREFIX = "secrets/";

    record Secret(String value, Duration ttl) {
    }

    private final Storage storage;

    Secrets(Storage storage) {
        this.storage = storage;
    }

    Optional<Secret> get(String name) {
        return storage.get(PREFIX + name).map(bytes -> {
            Map<String, Object> json = Json.parseObject(new String(bytes, StandardCharsets.UTF_8));
            return new Secret((String) json.get("value"), Duration.ofSeconds(((Number) json.get("ttl")).longValue()));
        });
    }

    void put(String name, Secret secret) {
        String json = Json.write(Map.of("value", secret.value(), "ttl", secret.ttl().toSeconds()));
        storage.put(PREFIX + name, json.getBytes(StandardCharsets.UTF_8));
    }

    void delete(String name) {
        storage.delete(PREFIX + name);
    }
}
