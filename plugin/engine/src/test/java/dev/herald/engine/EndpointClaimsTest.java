package dev.herald.engine;

import dev.herald.sdk.VaultException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Endpoint claims against a role's allowed names, networks and ports. */
class EndpointClaimsTest {
    private static final Role ROLE = role(false);

    private static Role role(boolean allowWildcardClaims) {
        return TestValues.endpointLimits(allowWildcardClaims);
    }

    /** Claims of one {@code value} of one {@code kind}: "endpoint", "ip" or "dns". */
    private static EndpointClaims claiming(String kind, String value) {
        EndpointClaims.Builder claims = TestValues.noClaims();
        switch (kind) {
            case "endpoint" -> claims.endpoints(List.of(value));
            case "ip" -> claims.ipAddresses(List.of(value));
            case "dns" -> claims.dnsNames(List.of(value));
            default -> throw new IllegalArgumentException("no kind of claim is called " + kind);
        }
        return claims.build();
    }

    @ParameterizedTest
    @CsvSource({
            "a.web.internal:443", "https://web.example.com/", "https://a.web.internal:8080/path?q=1",
            "10.1.2.3:8000", "[fd00::1]:443", "grpcs://a.b.web.internal"})
    void allowedEndpointsPass(String endpoint) {
        claiming("endpoint", endpoint).checkedAgainst(ROLE);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "evil.example.com:443|403|allowed_dns_names",
            "a.web.internal:22|403|allowed_ports",
            "192.168.0.1:443|403|allowed_cidrs",
            "[fe80::1]:443|403|allowed_cidrs",
            "a.web.internal|400|needs a port",
            "https://user@a.web.internal/|400|user information",
            "a.web.internal:70000|400|between 1 and 65535",
            "A.WEB.INTERNAL:443|400|lower-case DNS name",
            "a.web.internal/x:443|400|neither host:port nor a URL",
            "http://a.web.internal|403|allowed_ports",
            "[zz::1]:443|400|malformed IPv6",
            "redis://a.web.internal/|400|give the port explicitly",
            "010.0.0.1:443|400|neither an IP address nor a lower-case DNS name",
            // "0443" passed allowed_ports as 443 and was stored as written: a reader that takes a
            // leading zero for octal (or keeps the text) sees another port than the role allowed
            "a.web.internal:0443|400|port \"0443\" of \"a.web.internal:0443\" has a leading zero",
            "a.web.internal:08000|400|has a leading zero",
            "https://a.web.internal:08080/x|400|has a leading zero",
            "[fd00::1]:00443|400|has a leading zero",
            "a.web.internal:00|400|has a leading zero",
            // a wildcard is not an address anything can connect to, whatever the role allows
            "*.web.internal:443|400|a wildcard",
            "https://*.web.internal/|400|a wildcard"})
    void otherEndpointsAreRefusedNamingTheRule(String endpoint, int status, String fragment) {
        VaultException e = assertThrows(VaultException.class,
                () -> claiming("endpoint", endpoint).checkedAgainst(ROLE));
        assertEquals(status, e.status(), e::getMessage);
        assertTrue(e.getMessage().contains(fragment), e::getMessage);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "ip|10.0.0.1|", "ip|fd00::5|", "ip|11.0.0.1|allowed_cidrs", "ip|10.0.0|not an IPv4 or IPv6 address",
            "ip|localhost|not an IPv4 or IPv6 address", "ip|010.0.0.1|not an IPv4 or IPv6 address", "dns|x.web.internal|", "dns|*.web.internal|allow_wildcard_claims",
            "dns|web.internal|allowed_dns_names", "dns|bad_name.web.internal|lower-case DNS name"})
    void addressesAndNamesAreCheckedToo(String kind, String value, String fragment) {
        EndpointClaims claims = claiming(kind, value);
        if (fragment == null) {
            claims.checkedAgainst(ROLE);
            return;
        }
        VaultException e = assertThrows(VaultException.class, () -> claims.checkedAgainst(ROLE));
        assertTrue(e.getMessage().contains(fragment), e::getMessage);
    }

    /**
     * A role that allows wildcard claims still bounds them by allowed_dns_names: "*.x.web.internal"
     * stands for names all inside "*.web.internal", "*.internal" for names outside it. Endpoints
     * take no wildcard even then.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "dns|*.web.internal||", "dns|*.x.web.internal||", "dns|*.internal|403|not in allowed_dns_names",
            "dns|*.example.com|403|not in allowed_dns_names", "dns|*.*.web.internal|400|not a lower-case DNS name",
            "endpoint|*.web.internal:443|400|a wildcard"})
    void wildcardClaimsWhereTheRoleAllowsThem(String kind, String value, Integer status, String fragment) {
        EndpointClaims claims = claiming(kind, value);
        if (status == null) {
            claims.checkedAgainst(role(true));
            return;
        }
        VaultException e = assertThrows(VaultException.class, () -> claims.checkedAgainst(role(true)));
        assertEquals(status, e.status(), e::getMessage);
        assertTrue(e.getMessage().contains(fragment), e::getMessage);
    }
}
