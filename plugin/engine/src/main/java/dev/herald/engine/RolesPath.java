package dev.herald.engine;

import dev.herald.sdk.Constraint;
import dev.herald.sdk.Durations;
import dev.herald.sdk.Field;
import dev.herald.sdk.Path;
import dev.herald.sdk.Request;
import dev.herald.sdk.Response;
import dev.herald.sdk.VaultException;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/** {@code roles/:name} and {@code roles/}: who may publish what (DESIGN §5.2). */
final class RolesPath {
    private RolesPath() {
    }

    static final Set<String> KEY_TYPES = Set.of("ed25519", "ec-p256", "ec-p384", "rsa");
    /**
     * {@code {{alias.name}}} and {@code {{alias.metadata.KEY}}}, filled from the publisher's identity.
     * As a regular expression of the templates' patterns, which Java, ECMA-262 and Python read alike.
     */
    private static final String PLACEHOLDER = "\\{\\{alias\\.(?:name|metadata\\.[A-Za-z0-9_.-]{1,128})\\}\\}";
    /** A service glob: name characters, '*' and placeholders (at most 256 characters, see SERVICES). */
    private static final String SERVICE_GLOB = "(?:[a-z0-9._*-]|" + PLACEHOLDER + ")+";
    /**
     * An instance template: "*", or a name (Names.PATTERN) in which placeholders may stand for
     * characters, each counting as one of its 128 (at most 256 characters written, see INSTANCE).
     */
    private static final String INSTANCE_TEMPLATE = "\\*|(?:[a-z0-9]|" + PLACEHOLDER + ")(?:[a-z0-9._-]|" + PLACEHOLDER + "){0,127}";
    private static final String DNS_GLOB = "[a-z0-9.*-]{1,253}";
    /** 1 to 65535, with at most four leading zeros (the five digits "08443" were always accepted). */
    private static final String PORT = "0{0,4}(?:[1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])";

    static final Field<String> NAME = Field.string("name", "Name of the role.").matching(Names.PATTERN, Names.RULE);
    static final Field<List<String>> SERVICES = Field.stringList("services",
            "Globs of the services this role may publish (\"payments\", \"payments-*\"); may use "
                    + "{{alias.name}} and {{alias.metadata.KEY}} from the publisher's identity. Where a glob has '*' "
                    + "or a separator, a filled value must be one name segment (a-z, 0-9), and a placeholder "
                    + "needs a separator between it and any '*' (\"{{alias.metadata.team}}-*\").")
            .notEmpty()
            .each("be a non-empty list of globs of names (a-z, 0-9, '.', '_', '-', '*') and placeholders",
                    Constraint.length(1, 256), Constraint.matching(SERVICE_GLOB, "be a glob of names and placeholders"));
    static final Field<String> INSTANCE = Field.string("instance",
            "What the instance segment of publish/:service/:instance must equal: a template such as "
                    + "{{alias.metadata.pod_uid}}, or \"*\" for any (operator-chosen) name. Where it has a "
                    + "separator, a filled value must be one name segment (a-z, 0-9).")
            .matching(INSTANCE_TEMPLATE, "be \"*\", a name, or a template of names and placeholders").length(1, 256);
    static final Field<String> BOUND_MOUNT_ACCESSOR = Field.string("bound_mount_accessor",
            "Accessor of the auth mount the publisher must have logged in through; empty for any.").defaultValue("")
            .length(0, 128);
    static final Field<Map<String, String>> BOUND_ALIAS_METADATA = Field.stringMap("bound_alias_metadata",
            "Alias metadata the publisher's identity must have: key to glob.").defaultValue(Map.of())
            .each("have globs of at most 256 characters", Constraint.length(0, 256))
            // opaque: OpenAPI 3.0 has no keyword for the keys of an object (3.1's propertyNames)
            .check(m -> m.keySet().stream().allMatch(key -> !key.isEmpty() && key.length() <= 128),
                    "have keys of 1-128 characters");
    static final Field<Boolean> ALLOW_UNBOUND = Field.bool("allow_unbound",
            "Let requests without an identity entity (such as a root token) publish.").defaultValue(false);
    static final Field<List<String>> KEY_TYPES_FIELD = Field.stringList("key_types",
            "Key types publishers may use: ed25519, ec-p256, ec-p384, rsa.")
            .defaultValue(List.of("ed25519", "ec-p256", "ec-p384", "rsa"))
            .notEmpty()
            .each("be a non-empty list of ed25519, ec-p256, ec-p384, rsa",
                    Constraint.oneOf("ed25519", "ec-p256", "ec-p384", "rsa"));
    static final Field<Long> MIN_RSA_BITS = Field.integer("min_rsa_bits", "Smallest RSA modulus accepted, in bits.")
            .defaultValue(2048L).between(2048, 16384);
    static final Field<Duration> TTL = Field.duration("ttl",
            "Lifetime of a publication; 0 means the mount's default_ttl.").defaultValue(Duration.ZERO).notNegative();
    static final Field<Duration> MAX_TTL = Field.duration("max_ttl",
            "Longest lifetime of a publication, renewals included; 0 means the mount's max_ttl.")
            .defaultValue(Duration.ZERO).notNegative();
    static final Field<Boolean> LEASE_BOUND = Field.bool("lease_bound",
            "Bind each publication to a renewable Vault lease: it ends when the lease does.").defaultValue(true);
    static final Field<Boolean> REQUIRE_PROOF = Field.bool("require_proof",
            "Require proof of possession of the private key (a CSR or a self-signed certificate).").defaultValue(true);
    static final Field<List<String>> ALLOWED_DNS_NAMES = Field.stringList("allowed_dns_names",
            "Globs of the DNS names a publication may claim; empty allows none.").defaultValue(List.of())
            .each("be globs of lower-case DNS names (a-z, 0-9, '.', '-', '*')",
                    Constraint.matching(DNS_GLOB, "be a glob of a lower-case DNS name"));
    static final Field<List<String>> ALLOWED_CIDRS = Field.stringList("allowed_cidrs",
            "Networks (CIDR) the IP addresses of a publication must lie in; empty allows none.").defaultValue(List.of());
    static final Field<List<String>> ALLOWED_PORTS = Field.stringList("allowed_ports",
            "Ports (\"443\") or port ranges (\"8000-8100\") a publication's endpoints may use; empty allows any.")
            .defaultValue(List.of())
            .each("be ports or ranges of ports between 1 and 65535",
                    Constraint.matching(PORT + "(?:-" + PORT + ")?", "be a port or a range of ports"))
            // opaque: a regular expression cannot compare the two ends of a range
            .check(list -> list.stream().allMatch(RolesPath::ascending), "be ranges whose first port is not above the last");

    static final Field<Boolean> ALLOW_WILDCARD_CLAIMS = Field.bool("allow_wildcard_claims",
            "Let a publication claim wildcard DNS names (\"*.web.internal\" in dns_names), which stand for every name "
                    + "of a domain; they must still lie within allowed_dns_names. Endpoints never take a wildcard.")
            .defaultValue(false);
    static final Field<Duration> MAX_OVERLAP = Field.duration("max_overlap",
            "Longest a rotated-out key of this role stays listed while consumers have not acknowledged its "
                    + "successor; 0 means the mount's max_overlap. At least the mount's min_overlap.")
            .defaultValue(Duration.ZERO).notNegative();

    static Path definition(MountState mount) {
        Roles roles = mount.roles();
        return Path.pattern("roles/:name")
                .fields(NAME, SERVICES, INSTANCE, BOUND_MOUNT_ACCESSOR, BOUND_ALIAS_METADATA, ALLOW_UNBOUND,
                        KEY_TYPES_FIELD, MIN_RSA_BITS, TTL, MAX_TTL, LEASE_BOUND, REQUIRE_PROOF, ALLOWED_DNS_NAMES,
                        ALLOWED_CIDRS, ALLOWED_PORTS, ALLOW_WILDCARD_CLAIMS, MAX_OVERLAP)
                .existence(request -> roles.get(request.get(NAME)).isPresent())
                .create("Create a role.", request -> write(mount, request))
                .update("Change a role; fields left out keep their values.", request -> write(mount, request))
                .read("Read a role.", request -> roles.get(request.get(NAME))
                        .map(role -> Response.data(role.toResponseData())).orElse(Response.none()))
                .delete("Delete a role. Publications made under it stay until they end.", request -> {
                    roles.delete(request.get(NAME));
                    return Response.none();
                })
                .help("Who may publish which services, bound to which identities.", """
                        A role names the services its publishers may publish (globs, which may use the
                        publisher's identity: {{alias.name}}, {{alias.metadata.KEY}}), what the instance
                        segment must be, which identities may use it (bound_mount_accessor,
                        bound_alias_metadata, allow_unbound), which keys are acceptable, how long
                        publications live, and which endpoints they may claim (allowed_dns_names,
                        allowed_cidrs, allowed_ports; a wildcard DNS name such as *.web.internal only
                        with allow_wildcard_claims, since it claims every name of a domain).

                        Placeholders are filled literally (a '*' in a value is a character). In a
                        template with '*' or a separator ('-', '.', '_'), each value must be a whole
                        name segment, a-z and 0-9 only; a caller whose value is not one is refused
                        (403). Otherwise team "pay-roll" would reach into team "pay"'s names under
                        {{alias.metadata.team}}-*. For the same reason a placeholder cannot share its
                        segment with '*' or another placeholder: write {{alias.metadata.team}}-*,
                        not {{alias.metadata.team}}*.

                        Publishing names the role: publish/:service/:instance with role=<name>.
                        Writing a role again with the same fields changes nothing; fields left out of
                        an update keep their values.
                        """);
    }

    static Path listDefinition(MountState mount) {
        return Path.pattern("roles/")
                .list("List the roles.", request -> Response.list(mount.roles().names()))
                .help("The roles of this mount.", "");
    }

    private static Response write(MountState mount, Request request) {
        String name = request.get(NAME);
        Optional<Role> existing = mount.roles().get(name);
        if (existing.isEmpty() && (!request.has(SERVICES) || !request.has(INSTANCE))) {
            throw VaultException.badRequest("a new role needs services and instance");
        }
        // A new role takes every field from the request (a field's default where it names none); an
        // update takes the fields the request names, and the others keep their values.
        boolean created = existing.isEmpty();
        Role.Builder changed = existing.map(Role::toBuilder).orElseGet(() -> Role.builder().name(name));
        take(request, SERVICES, created, changed::services);
        take(request, INSTANCE, created, changed::instance);
        take(request, BOUND_MOUNT_ACCESSOR, created, changed::boundMountAccessor);
        take(request, BOUND_ALIAS_METADATA, created, changed::boundAliasMetadata);
        take(request, ALLOW_UNBOUND, created, changed::allowUnbound);
        take(request, KEY_TYPES_FIELD, created, changed::keyTypes);
        take(request, MIN_RSA_BITS, created, changed::minRsaBits);
        take(request, TTL, created, changed::ttl);
        take(request, MAX_TTL, created, changed::maxTtl);
        take(request, LEASE_BOUND, created, changed::leaseBound);
        take(request, REQUIRE_PROOF, created, changed::requireProof);
        take(request, ALLOWED_DNS_NAMES, created, changed::allowedDnsNames);
        take(request, ALLOWED_CIDRS, created, changed::allowedCidrs);
        take(request, ALLOWED_PORTS, created, changed::allowedPorts);
        take(request, ALLOW_WILDCARD_CLAIMS, created, changed::allowWildcardClaims);
        take(request, MAX_OVERLAP, created, changed::maxOverlap);
        Role role = changed.build();
        // Only the templates this request writes: a role stored before this rule keeps working for
        // its other fields, and its unsafe templates fill nothing at publish time (Glob.filled).
        request.find(SERVICES).ifPresent(services -> services.forEach(template -> checkTemplate("services", template)));
        request.find(INSTANCE).ifPresent(template -> checkTemplate("instance", template));
        checkCidrs(role.allowedCidrs());
        checkLifetimes(role, mount.settings().get());
        mount.roles().save(role);
        return Response.data(role.toResponseData());
    }

    /** The field's value into {@code setter}: if the request names it, or with {@code orDefault} its default. */
    private static <T> void take(Request request, Field<T> field, boolean orDefault, Consumer<T> setter) {
        (orDefault ? Optional.of(request.get(field)) : request.find(field)).ifPresent(setter);
    }

    private static void checkLifetimes(Role role, Config config) {
        if (role.maxTtl().compareTo(config.maxTtl()) > 0) {
            throw VaultException.badRequest("invalid max_ttl: " + Durations.format(role.maxTtl())
                    + " is longer than the mount's max_ttl (" + Durations.format(config.maxTtl()) + ")");
        }
        Duration ceiling = role.maxTtl().isZero() ? config.maxTtl() : role.maxTtl();
        if (role.ttl().compareTo(ceiling) > 0) {
            throw VaultException.badRequest("invalid ttl: " + Durations.format(role.ttl()) + " is longer than "
                    + (role.maxTtl().isZero() ? "the mount's max_ttl" : "max_ttl") + " (" + Durations.format(ceiling) + ")");
        }
        if (!role.maxOverlap().isZero() && role.maxOverlap().compareTo(config.minOverlap()) < 0) {
            throw VaultException.badRequest("invalid max_overlap: " + Durations.format(role.maxOverlap())
                    + " is shorter than the mount's min_overlap (" + Durations.format(config.minOverlap()) + ")");
        }
    }

    private static void checkTemplate(String field, String template) {
        Glob.templateProblem(template).ifPresent(problem -> {
            throw VaultException.badRequest("invalid " + field + ": " + problem);
        });
    }

    private static void checkCidrs(List<String> cidrs) {
        for (String cidr : cidrs) {
            if (!Cidr.valid(cidr)) {
                throw VaultException.badRequest("invalid allowed_cidrs: \"" + EndpointClaims.shorten(cidr)
                        + "\" is not an IPv4 or IPv6 network such as 10.0.0.0/8 or fd00::/8");
            }
        }
    }

    /** Whether a port range (which the field's pattern has checked) runs upwards; a port is a range of one. */
    private static boolean ascending(String ports) {
        int dash = ports.indexOf('-');
        return dash < 0 || Integer.parseInt(ports.substring(0, dash)) <= Integer.parseInt(ports.substring(dash + 1));
    }
}
