package com.example.kvlease;

import dev.herald.sdk.Field;
import dev.herald.sdk.Path;
import dev.herald.sdk.Request;
import dev.herald.sdk.Response;

import java.time.Duration;
import java.util.Map;

/** secrets/:name: write, read (the TTL only: the value is read through creds/) and delete a secret. */
final class SecretPath {
    static final Field<String> NAME = Field.string("name", "The secret's name.")
            .matching("[a-z0-9][a-z0-9-]*", "be lower-case letters, digits and '-'").length(1, 64);
    static final Field<String> VALUE = Field.string("value", "The secret value.").required().length(1, 4096);
    static final Field<Duration> TTL = Field.duration("ttl", "The lease TTL of each read of the value.")
            .defaultValue(Duration.ofHours(1)).positive()
            .check(ttl -> ttl.compareTo(Duration.ofDays(1)) <= 0, "be at most 24h");

    private SecretPath() {
    }

    static Path definition(Secrets secrets) {
        return Path.pattern("secrets/:name")
                .fields(NAME, VALUE, TTL)
                // A write to a new name needs the create capability, to an existing one update.
                .existence(request -> secrets.get(request.get(NAME)).isPresent())
                .create("Store a new secret.", request -> write(secrets, request))
                .update("Replace a secret.", request -> write(secrets, request))
                .read("Read a secret's lease TTL.", request -> secrets.get(request.get(NAME))
                        .map(secret -> Response.data(Map.of("ttl", TTL.toJson(secret.ttl()))))
                        .orElse(Response.none()))
                .delete("Delete a secret; leases already issued stay until they end.", request -> {
                    secrets.delete(request.get(NAME));
                    return Response.none();
                })
                .help("Secrets, by name.", "The value is write-only here; creds/<name> reads it under a lease.");
    }

    private static Response write(Secrets secrets, Request request) {
        secrets.put(request.get(NAME), new Secrets.Secret(request.get(VALUE), request.get(TTL)));
        return Response.none();
    }
}
