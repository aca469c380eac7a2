package dev.herald.client.publisher;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What an instance publishes beside its key (DESIGN §5.3): where it listens ({@code endpoints},
 * {@code host:port} or URLs), its {@code ip_addresses} and {@code dns_names}, free {@code metadata},
 * and the lifetime it asks for ({@code ttl}; none: the role's). A publication never changes, so the
 * same claims must be sent again to revive an instance with the same key.
 */
public final class Claims {
    /** No endpoints, addresses, names or metadata, and the role's ttl. */
    public static final Claims NONE = builder().build();

    private final List<String> endpoints;
    private final List<String> ipAddresses;
    private final List<String> dnsNames;
    private final Map<String, String> metadata;
    private final Duration ttl;

    private Claims(Builder builder) {
        this.endpoints = List.copyOf(builder.endpoints);
        this.ipAddresses = List.copyOf(builder.ipAddresses);
        this.dnsNames = List.copyOf(builder.dnsNames);
        this.metadata = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(builder.metadata));
        this.ttl = builder.ttl;
    }

    /** Starts an empty set of claims. */
    public static Builder builder() {
        return new Builder();
    }

    /** Where the instance listens: {@code host:port} or URLs. */
    public List<String> endpoints() {
        return endpoints;
    }

    /** The instance's IP addresses (within the role's allowed_cidrs). */
    public List<String> ipAddresses() {
        return ipAddresses;
    }

    /** The instance's DNS names (within the role's allowed_dns_names). */
    public List<String> dnsNames() {
        return dnsNames;
    }

    /** Free-form strings carried in the records, in the order given. */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** The lifetime asked for; empty: the role's ttl (else the mount's default_ttl). */
    public Optional<Duration> ttl() {
        return Optional.ofNullable(ttl);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Claims that && endpoints.equals(that.endpoints) && ipAddresses.equals(that.ipAddresses)
                && dnsNames.equals(that.dnsNames) && metadata.equals(that.metadata) && Objects.equals(ttl, that.ttl);
    }

    @Override
    public int hashCode() {
        return Objects.hash(endpoints, ipAddresses, dnsNames, metadata, ttl);
    }

    @Override
    public String toString() {
        return "Claims[endpoints=" + endpoints + ", ip_addresses=" + ipAddresses + ", dns_names=" + dnsNames
                + ", metadata=" + metadata + (ttl == null ? "" : ", ttl=" + ttl.toSeconds() + "s") + "]";
    }

    /** Collects claims; every method adds to what was given before. */
    public static final class Builder {
        private final List<String> endpoints = new ArrayList<>();
        private final List<String> ipAddresses = new ArrayList<>();
        private final List<String> dnsNames = new ArrayList<>();
        private final Map<String, String> metadata = new LinkedHashMap<>();
        private Duration ttl;

        private Builder() {
        }

        /** Where the instance listens: {@code host:port} or a URL. */
        public Builder endpoint(String endpoint) {
            endpoints.add(Objects.requireNonNull(endpoint, "endpoint"));
            return this;
        }

        /** An IP address of the instance. */
        public Builder ipAddress(String address) {
            ipAddresses.add(Objects.requireNonNull(address, "address"));
            return this;
        }

        /** A DNS name of the instance. */
        public Builder dnsName(String name) {
            dnsNames.add(Objects.requireNonNull(name, "name"));
            return this;
        }

        /** One metadata entry (a later value for the same key wins). */
        public Builder metadata(String key, String value) {
            metadata.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** The lifetime to ask for (whole seconds; the role's max_ttl caps it). */
        public Builder ttl(Duration ttl) {
            if (ttl.isNegative() || ttl.isZero()) {
                throw new IllegalArgumentException("ttl must be positive");
            }
            this.ttl = ttl;
            return this;
        }

        /** The claims collected. */
        public Claims build() {
            return new Claims(this);
        }
    }
}
