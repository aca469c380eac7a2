package dev.herald.engine;

import dev.herald.sdk.VaultException;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a publication says its workload can be reached: endpoints ({@code host:port} or URLs), IP
 * addresses and DNS names. Each must lie within what the role allows, so that a publisher cannot
 * advertise an address it does not own. Immutable. Made only by a {@link Builder}, which names each
 * of the three lists: all are lists of strings, and a positional list would let DNS names be
 * checked and recorded as IP addresses, or endpoints as DNS names, unseen.
 */
record EndpointClaims(List<String> endpoints, List<String> ipAddresses, List<String> dnsNames) {
    static final int MAX_ENTRIES = 64;
    private static final Pattern DNS_NAME = Pattern.compile(
            "(\\*\\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");
    private static final Pattern URL = Pattern.compile("([a-z][a-z0-9+.-]{0,31})://([^/?#]+)([/?#].*)?");
    private static final Pattern HOST_PORT = Pattern.compile("(\\[[^\\]]*]|[^:\\[\\]]+):([0-9]{1,5})");
    private static final Map<String, Integer> DEFAULT_PORTS = Map.of("https", 443, "http", 80, "grpcs", 443,
            "wss", 443, "ws", 80);

    EndpointClaims {
        endpoints = List.copyOf(endpoints);
        ipAddresses = List.copyOf(ipAddresses);
        dnsNames = List.copyOf(dnsNames);
    }

    static Builder builder() {
        return new Builder();
    }

    /** One endpoint taken apart. {@code port} is -1 for a URL of a scheme with no known default port. */
    private record Endpoint(String host, int port) {
    }

    /**
     * Checks the form of every claim and that the role allows it.
     *
     * @throws VaultException 400 for a malformed claim, 403 for one the role does not allow
     */
    EndpointClaims checkedAgainst(Role role) {
        requireCount("endpoints", endpoints);
        requireCount("ip_addresses", ipAddresses);
        requireCount("dns_names", dnsNames);
        for (String endpoint : endpoints) {
            Endpoint parsed = parse(endpoint);
            requireHostAllowed(role, "endpoints", parsed.host());
            if (parsed.port() < 0 && !role.allowedPorts().isEmpty()) {
                throw VaultException.badRequest("invalid endpoints: \"" + shorten(endpoint) + "\" has no port, and role "
                        + role.name() + " limits ports (allowed_ports): give the port explicitly");
            }
            if (parsed.port() >= 0 && !portAllowed(role, parsed.port())) {
                throw VaultException.forbidden("endpoint " + endpoint + ": port " + parsed.port()
                        + " is not in allowed_ports of role " + role.name() + " (" + String.join(", ", role.allowedPorts()) + ")");
            }
        }
        for (String ip : ipAddresses) {
            if (Cidr.address(ip).isEmpty()) {
                throw VaultException.badRequest("invalid ip_addresses: \"" + shorten(ip) + "\" is not an IPv4 or IPv6 address");
            }
            requireHostAllowed(role, "ip_addresses", ip);
        }
        for (String name : dnsNames) {
            if (!validDnsName(name)) {
                throw VaultException.badRequest("invalid dns_names: \"" + shorten(name) + "\" is not a lower-case DNS name");
            }
            if (isWildcard(name) && !role.allowWildcardClaims()) {
                // One claim of "*.web.internal" would vouch for every name of the domain, those of
                // other workloads too: only where the operator chose it.
                throw VaultException.badRequest("invalid dns_names: \"" + shorten(name) + "\" is a wildcard, and role "
                        + role.name() + " does not allow wildcard claims (allow_wildcard_claims)");
            }
            requireHostAllowed(role, "dns_names", name);
        }
        return this;
    }

    Map<String, Object> toClaims() {
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("endpoints", endpoints);
        claims.put("ip_addresses", ipAddresses);
        claims.put("dns_names", dnsNames);
        return claims;
    }

    /** The claims from the members {@link #toClaims} wrote into a stored publication. */
    @SuppressWarnings("unchecked")
    static EndpointClaims fromStored(Map<String, Object> stored) {
        return builder()
                .endpoints((List<String>) stored.get("endpoints"))
                .ipAddresses((List<String>) stored.get("ip_addresses"))
                .dnsNames((List<String>) stored.get("dns_names"))
                .build();
    }

    private static void requireCount(String field, List<String> values) {
        if (values.size() > MAX_ENTRIES) {
            throw VaultException.badRequest("invalid " + field + ": at most " + MAX_ENTRIES + " entries, got " + values.size());
        }
    }

    private static Endpoint parse(String endpoint) {
        if (endpoint.length() > 512) {
            throw VaultException.badRequest("invalid endpoints: \"" + shorten(endpoint) + "\" is longer than 512 characters");
        }
        Matcher url = URL.matcher(endpoint);
        String authority;
        int defaultPort = -1;
        if (url.matches()) {
            authority = url.group(2);
            defaultPort = DEFAULT_PORTS.getOrDefault(url.group(1), -1);
            if (authority.contains("@")) {
                throw VaultException.badRequest("invalid endpoints: \"" + shorten(endpoint) + "\" carries user information");
            }
        } else if (endpoint.contains("/")) {
            throw VaultException.badRequest("invalid endpoints: \"" + shorten(endpoint)
                    + "\" is neither host:port nor a URL such as https://host:port/");
        } else {
            authority = endpoint;
        }
        Matcher hostPort = HOST_PORT.matcher(authority);
        String host;
        int port;
        if (hostPort.matches()) {
            host = hostPort.group(1);
            String digits = hostPort.group(2);
            if (digits.length() > 1 && digits.startsWith("0")) {
                // Records carry endpoints as written, and "08443" is 8443 to the role's check but
                // octal, or an error, to some readers of a record: one port, one spelling, as for
                // addresses ("010.0.0.1" is refused for the same reason).
                throw VaultException.badRequest("invalid endpoints: port \"" + digits + "\" of \"" + shorten(endpoint)
                        + "\" has a leading zero: write the port in decimal without one");
            }
            port = Integer.parseInt(digits);
            if (port < 1 || port > 65535) {
                throw VaultException.badRequest("invalid endpoints: port " + port + " of \"" + shorten(endpoint)
                        + "\" is not between 1 and 65535");
            }
        } else if (url.matches()) {
            host = authority;
            port = defaultPort;
        } else {
            throw VaultException.badRequest("invalid endpoints: \"" + shorten(endpoint) + "\" needs a port (host:port)");
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
            if (Cidr.address(host).isEmpty() || !host.contains(":")) {
                throw VaultException.badRequest("invalid endpoints: \"" + shorten(endpoint) + "\" has a malformed IPv6 address");
            }
        } else if (Cidr.address(host).isEmpty() && !validDnsName(host)) {
            throw VaultException.badRequest("invalid endpoints: the host of \"" + shorten(endpoint)
                    + "\" is neither an IP address nor a lower-case DNS name");
        } else if (isWildcard(host)) {
            throw VaultException.badRequest("invalid endpoints: the host of \"" + shorten(endpoint)
                    + "\" is a wildcard, which nothing can connect to: name one host");
        }
        return new Endpoint(host, port);
    }

    private static void requireHostAllowed(Role role, String field, String host) {
        if (Cidr.address(host).isPresent()) {
            if (role.allowedCidrs().stream().noneMatch(cidr -> Cidr.contains(cidr, host))) {
                throw VaultException.forbidden(field + ": address " + host + " is not in allowed_cidrs of role "
                        + role.name() + (role.allowedCidrs().isEmpty() ? " (none allowed)" : " (" + String.join(", ", role.allowedCidrs()) + ")"));
            }
        } else if (!Glob.anyMatches(role.allowedDnsNames(), host)) {
            throw VaultException.forbidden(field + ": name " + host + " is not in allowed_dns_names of role "
                    + role.name() + (role.allowedDnsNames().isEmpty() ? " (none allowed)" : " (" + String.join(", ", role.allowedDnsNames()) + ")"));
        }
    }

    private static boolean portAllowed(Role role, int port) {
        if (role.allowedPorts().isEmpty()) {
            return true;
        }
        for (String range : role.allowedPorts()) {
            int dash = range.indexOf('-');
            int low = Integer.parseInt(dash < 0 ? range : range.substring(0, dash));
            int high = dash < 0 ? low : Integer.parseInt(range.substring(dash + 1));
            if (port >= low && port <= high) {
                return true;
            }
        }
        return false;
    }

    /** A DNS name of the form "*.domain" (validDnsName allows the '*' only there). */
    private static boolean isWildcard(String name) {
        return name.startsWith("*.");
    }

    private static boolean validDnsName(String name) {
        // A numeric last label makes it look like an IPv4 address ("010.0.0.1"), which it must not pass for.
        return name.length() <= 253 && DNS_NAME.matcher(name).matches() && !name.matches(".*(^|\\.)[0-9]+");
    }

    static String shorten(String value) {
        return value.length() > 50 ? value.substring(0, 50) + "..." : value;
    }

    /**
     * Names each list of an {@link EndpointClaims}; {@link #build} fails on any left out. Each is
     * required, empty where nothing of its kind is claimed: a kind left out by mistake would
     * otherwise drop what the caller claimed of it, unseen.
     */
    static final class Builder {
        private List<String> endpoints;
        private List<String> ipAddresses;
        private List<String> dnsNames;

        private Builder() {
        }

        /** {@code host:port} or URLs. */
        Builder endpoints(List<String> value) {
            endpoints = value;
            return this;
        }

        Builder ipAddresses(List<String> value) {
            ipAddresses = value;
            return this;
        }

        Builder dnsNames(List<String> value) {
            dnsNames = value;
            return this;
        }

        /** @throws IllegalStateException naming the first list left out */
        EndpointClaims build() {
            return new EndpointClaims(
                    Required.field(endpoints, "EndpointClaims", "endpoints"),
                    Required.field(ipAddresses, "EndpointClaims", "ipAddresses"),
                    Required.field(dnsNames, "EndpointClaims", "dnsNames"));
        }
    }
}
