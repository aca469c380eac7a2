package dev.herald.client.consumer;

import dev.herald.client.VerificationException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads a service's record in pages and combines them into one {@link DiscoveryRecord}: from the
 * cursor "" it reads the page after the cursor, then the page after that page's {@code next}, until
 * a page's {@code next} is "".
 *
 * <p>Each page comes verified from the {@link Source} (signature, typ, iss, sub, exp, scope "page",
 * its {@code after} equal to the cursor asked for, and its {@code seq} accepted by the state). The
 * walk itself refuses a {@code seq} lower than the page before's (a rollback, also without state),
 * and a page of another service. When a page's {@code seq} is higher than the first page's, the
 * service changed under the walk: it starts again from "" (at most {@code restarts} times), so that
 * the result is one consistent set when churn allows. After that it goes on and accepts the union:
 * each page's instances are vouched for by that page's own unexpired signature, and since every
 * page covers the names after the page before's, no instance is listed twice.
 *
 * <p>When every page has the same {@code seq}, the pages list exactly {@code total} instances,
 * else the walk is refused. The result must not be expired when the walk ends (it expires with its
 * earliest page).
 */
final class PageWalk {
    /** How many times a live walk starts again when the service changes under it. */
    static final int RESTARTS = 3;

    /** Reads, verifies and accepts the page that starts after {@code after}. */
    @FunctionalInterface
    interface Source {
        DiscoveryRecord page(String after);
    }

    private PageWalk() {
    }

    /**
     * Walks the pages of {@code source} (see the class comment).
     *
     * @param restarts how many times to start again when {@code seq} rises during a walk (0: never)
     * @throws VerificationException if a page, or the pages together, must not be trusted
     */
    static DiscoveryRecord walk(Source source, int restarts, Clock clock) {
        for (int attempt = 0; ; attempt++) {
            List<DiscoveryRecord> pages = pages(source, attempt < restarts);
            if (pages != null) {
                return combine(pages, clock.instant());
            }
        }
    }

    /** One walk's pages, or null when {@code seq} rose during it and {@code restart} says to start again. */
    private static List<DiscoveryRecord> pages(Source source, boolean restart) {
        List<DiscoveryRecord> pages = new ArrayList<>();
        String cursor = "";
        do {
            DiscoveryRecord page = source.page(cursor);
            if (!pages.isEmpty()) {
                DiscoveryRecord before = pages.getLast();
                if (!page.service().equals(before.service())) {
                    throw new VerificationException("page after " + Claims.quote(cursor) + " is of service "
                            + Claims.quote(page.service()) + ", the page before of " + Claims.quote(before.service()));
                }
                if (page.seq() < before.seq()) {
                    throw TrustState.rollback(page.issuer(), page.service(), page.seq(), before.seq());
                }
                if (page.seq() > pages.getFirst().seq() && restart) {
                    return null;
                }
            }
            pages.add(page);
            cursor = page.page().orElseThrow().next();
        } while (!cursor.isEmpty());
        return pages;
    }

    private static DiscoveryRecord combine(List<DiscoveryRecord> pages, Instant now) {
        DiscoveryRecord first = pages.getFirst();
        DiscoveryRecord.Page firstPage = first.page().orElseThrow();
        if (pages.stream().allMatch(page -> page.seq() == first.seq())) {
            Set<String> names = new HashSet<>();
            pages.forEach(page -> page.instances().forEach(instance -> names.add(instance.name())));
            if (names.size() != firstPage.total()) {
                throw new VerificationException("the " + pages.size() + " pages of service " + Claims.quote(first.service())
                        + " at seq " + first.seq() + " list " + names.size() + " instances, but say it has "
                        + firstPage.total());
            }
        }
        DiscoveryRecord combined = new DiscoveryRecord(pages);
        if (!combined.validAt(now)) {
            throw new VerificationException("a page of service " + Claims.quote(first.service()) + " expired at "
                    + combined.expiresAt() + " before the walk ended (now " + now + ")");
        }
        return combined;
    }
}
