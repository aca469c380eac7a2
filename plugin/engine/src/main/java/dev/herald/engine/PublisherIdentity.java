package dev.herald.engine;

import dev.herald.sdk.Entity;
import dev.herald.sdk.Request;
import dev.herald.sdk.SystemView;
import dev.herald.sdk.VaultException;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Who published: the caller's identity entity and the alias it logged in with, as the server's
 * identity store knows them (never as the request claims them). Recorded in every publication and
 * history entry. Immutable. Made only by a {@link Builder}, which names every field: all five are
 * strings or a map of strings, and a positional list would let, say, the entity and the token
 * accessor swap unseen in the record of who published; {@link #unbound} names the one short case.
 *
 * @param entityId      the identity entity, or "" for an unbound publisher (allow_unbound)
 * @param mountAccessor the auth mount of the alias, or ""
 * @param aliasName     the alias's name (e.g. the JWT's subject), or ""
 * @param aliasMetadata the alias's metadata (e.g. from JWT claim_mappings)
 * @param tokenAccessor the accessor of the token that made the request
 */
record PublisherIdentity(String entityId, String mountAccessor, String aliasName, Map<String, String> aliasMetadata,
                         String tokenAccessor) {

    PublisherIdentity {
        aliasMetadata = Map.copyOf(aliasMetadata);
    }

    static Builder builder() {
        return new Builder();
    }

    /**
     * A caller without an identity entity, let in by the role's allow_unbound: the server knows
     * nothing of it but its token, so the token accessor is all there is to record.
     */
    static PublisherIdentity unbound(String tokenAccessor) {
        return builder().entityId("").noAlias().tokenAccessor(tokenAccessor).build();
    }

    /**
     * The identity of a request's caller, checked against the role's bindings.
     *
     * @throws VaultException 403 naming the binding the caller does not meet
     */
    static PublisherIdentity of(Request request, Role role, SystemView system) {
        String accessor = request.caller().tokenAccessor();
        if (!request.caller().hasEntity()) {
            if (role.allowUnbound()) {
                return unbound(accessor);
            }
            throw VaultException.forbidden("role " + role.name() + " needs a caller with an identity entity, and this"
                    + " token has none (a root or orphan token?); set allow_unbound on the role to allow it");
        }
        Entity entity = system.entity(request.caller().entityId()).orElseThrow(() -> VaultException.forbidden(
                "the caller's identity entity " + request.caller().entityId() + " is unknown to the server"));
        if (entity.disabled()) {
            throw VaultException.forbidden("the caller's identity entity " + entity.id() + " is disabled");
        }
        Builder identity = builder().entityId(entity.id()).tokenAccessor(accessor);
        Optional<Entity.Alias> alias = role.boundMountAccessor().isEmpty()
                ? entity.aliases().stream().filter(a -> metadataMatches(role, a)).findFirst()
                : entity.aliasOn(role.boundMountAccessor()).filter(a -> metadataMatches(role, a));
        if (alias.isEmpty()) {
            if (!role.boundMountAccessor().isEmpty() && entity.aliasOn(role.boundMountAccessor()).isEmpty()) {
                throw VaultException.forbidden("role " + role.name() + " is bound to auth mount "
                        + role.boundMountAccessor() + ", and the caller did not log in through it");
            }
            if (!role.boundAliasMetadata().isEmpty()) {
                throw VaultException.forbidden("the caller's alias metadata does not match bound_alias_metadata of role "
                        + role.name() + " (keys: " + String.join(", ", role.boundAliasMetadata().keySet().stream().sorted().toList()) + ")");
            }
            // An entity without aliases (made by hand): bound to nothing, but still an entity.
            return identity.noAlias().build();
        }
        return identity.alias(alias.get()).build();
    }

    private static boolean metadataMatches(Role role, Entity.Alias alias) {
        for (Map.Entry<String, String> bound : role.boundAliasMetadata().entrySet()) {
            String value = alias.metadata().get(bound.getKey());
            if (value == null || !Glob.of(bound.getValue()).matches(value)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Checks that the role lets this identity publish {@code instance} of {@code service}.
     *
     * @throws VaultException 403 naming what does not match
     */
    void requireAllowed(Role role, String service, String instance) {
        List<Glob.Filling> services = role.services().stream()
                .map(template -> Glob.filled(template, aliasName, aliasMetadata)).toList();
        if (services.stream().noneMatch(glob -> glob.matches(service))) {
            // Why a template matched nothing for this identity, if it could not be filled: the
            // publisher's identity is what the operator must look at then, not the service name.
            List<String> problems = services.stream().map(Glob.Filling::problem).filter(Objects::nonNull).distinct().toList();
            throw VaultException.forbidden("role " + role.name() + " does not allow publishing service " + service
                    + " for this identity (services: " + String.join(", ", role.services()) + ")"
                    + (problems.isEmpty() ? "" : ": " + String.join("; ", problems)));
        }
        if (role.instance().equals("*")) {
            return;
        }
        Glob.Filling expected = Glob.filled(role.instance(), aliasName, aliasMetadata);
        if (!expected.matches(instance)) {
            throw VaultException.forbidden("role " + role.name() + " requires the instance to be " + role.instance()
                    + " of the caller's identity" + (expected.problem() == null ? "; " + instance + " is not"
                    : ": " + expected.problem()));
        }
    }

    /**
     * An operator acting on the mount (revoke, signer rotation): recorded by the token's entity,
     * display name and accessor, with no alias, since no role binds an operator. The display name
     * stands where an alias's name would, so that whoever reads the history sees who it was.
     */
    static PublisherIdentity operator(dev.herald.sdk.Caller caller) {
        return builder()
                .entityId(caller.entityId())
                .mountAccessor("")
                .aliasName(caller.displayName())
                .aliasMetadata(Map.of())
                .tokenAccessor(caller.tokenAccessor())
                .build();
    }

    /** The {@code publisher} member of a record's instance. */
    Map<String, Object> toClaims() {
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("entity_id", entityId);
        claims.put("mount_accessor", mountAccessor);
        claims.put("alias_name", aliasName);
        claims.put("alias_metadata", new java.util.TreeMap<>(aliasMetadata));
        return claims;
    }

    /** As stored: the claims and the token accessor. */
    Map<String, Object> toStored() {
        Map<String, Object> stored = toClaims();
        stored.put("token_accessor", tokenAccessor);
        return stored;
    }

    @SuppressWarnings("unchecked")
    static PublisherIdentity fromStored(Map<String, Object> stored) {
        return builder()
                .entityId((String) stored.get("entity_id"))
                .mountAccessor((String) stored.get("mount_accessor"))
                .aliasName((String) stored.get("alias_name"))
                .aliasMetadata((Map<String, String>) (Map<?, ?>) stored.get("alias_metadata"))
                // An identity stored before the token accessor was recorded has none.
                .tokenAccessor(stored.get("token_accessor") instanceof String s ? s : "")
                .build();
    }

    /**
     * Names every field of a {@link PublisherIdentity}; {@link #build} fails on any left out, an
     * empty one included: "" is a value to state ("no entity", "no alias"), not a default to fall
     * into. The alias's three fields are set together from the server's {@link Entity.Alias}, or
     * as {@link #noAlias}, or one by one where they hold something else (an operator's display
     * name, a stored identity).
     */
    static final class Builder {
        private String entityId;
        private String mountAccessor;
        private String aliasName;
        private Map<String, String> aliasMetadata;
        private String tokenAccessor;

        private Builder() {
        }

        /** The identity entity's id, or "" for an unbound publisher. */
        Builder entityId(String value) {
            entityId = value;
            return this;
        }

        Builder mountAccessor(String value) {
            mountAccessor = value;
            return this;
        }

        Builder aliasName(String value) {
            aliasName = value;
            return this;
        }

        Builder aliasMetadata(Map<String, String> value) {
            aliasMetadata = value;
            return this;
        }

        /** The alias the caller logged in with, as the server's identity store knows it. */
        Builder alias(Entity.Alias alias) {
            return mountAccessor(alias.mountAccessor()).aliasName(alias.name()).aliasMetadata(alias.metadata());
        }

        /** No alias: an unbound caller, or an entity that has none. */
        Builder noAlias() {
            return mountAccessor("").aliasName("").aliasMetadata(Map.of());
        }

        Builder tokenAccessor(String value) {
            tokenAccessor = value;
            return this;
        }

        /** @throws IllegalStateException naming the first field left out */
        PublisherIdentity build() {
            return new PublisherIdentity(
                    Required.field(entityId, "PublisherIdentity", "entityId"),
                    Required.field(mountAccessor, "PublisherIdentity", "mountAccessor"),
                    Required.field(aliasName, "PublisherIdentity", "aliasName"),
                    Required.field(aliasMetadata, "PublisherIdentity", "aliasMetadata"),
                    Required.field(tokenAccessor, "PublisherIdentity", "tokenAccessor"));
        }
    }
}
