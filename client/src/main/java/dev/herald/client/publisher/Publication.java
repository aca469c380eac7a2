package dev.herald.client.publisher;

import dev.herald.client.HeraldException;
import dev.herald.client.VaultResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * An instance's live publication as the engine answered it (DESIGN §5.3), with the Vault lease that
 * keeps it alive.
 *
 * @param generation    1, 2, … per instance: the publication a rotation's continuity names
 * @param fingerprint   {@code sha256:<hex of SPKI>} of the published key
 * @param sequence      the service's sequence after the change
 * @param unchanged     true when the same key and claims were already live (nothing changed)
 * @param leaseId       the lease that keeps the publication alive; empty for a role without lease_bound
 * @param leaseDuration what the lease had left when last granted (publish or renewal)
 */
public record Publication(String service, String instance, long generation, String fingerprint, Instant notBefore,
                          Instant notAfter, long sequence, boolean unchanged, String leaseId, Duration leaseDuration) {

    /** The publication in the answer to {@code publish/:service/:instance}. */
    static Publication from(VaultResponse response) {
        Map<String, Object> data = response.data();
        try {
            return new Publication((String) data.get("service"), (String) data.get("instance"),
                    number(data, "generation"), (String) data.get("fingerprint"),
                    Instant.ofEpochSecond(number(data, "not_before")), Instant.ofEpochSecond(number(data, "not_after")),
                    number(data, "sequence"), Boolean.TRUE.equals(data.get("unchanged")), response.leaseId(),
                    Duration.ofSeconds(response.leaseDuration()));
        } catch (ClassCastException | NullPointerException e) {
            throw new HeraldException("the publish answer lacks service, instance, generation, fingerprint, not_before,"
                    + " not_after or sequence (fields: " + data.keySet() + ")", e);
        }
    }

    private static long number(Map<String, Object> data, String name) {
        return ((Number) data.get(name)).longValue();
    }

    /** Whether it is bound to a lease (and must be renewed). */
    public boolean leased() {
        return !leaseId.isEmpty();
    }

    /** After a renewal at {@code now} that granted {@code granted}: the engine moved not_after to the lease's end. */
    Publication renewed(Instant now, Duration granted) {
        Instant end = now.plus(granted);
        return new Publication(service, instance, generation, fingerprint, notBefore,
                end.isAfter(notAfter) ? end : notAfter, sequence, false, leaseId, granted);
    }

    /** The same publication with the lease of an earlier answer (an unchanged answer carries none). */
    Publication withLease(String leaseId, Duration leaseDuration) {
        return new Publication(service, instance, generation, fingerprint, notBefore, notAfter, sequence, unchanged,
                leaseId, leaseDuration);
    }
}
