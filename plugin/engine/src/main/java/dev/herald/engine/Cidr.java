package dev.herald.engine;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.regex.Pattern;

/** IP networks in CIDR notation. Literal addresses only: nothing here may trigger a DNS lookup. */
final class Cidr {
    private static final Pattern IPV4 = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:.]{2,45}");

    private Cidr() {
    }

    static boolean valid(String cidr) {
        return network(cidr).isPresent();
    }

    /**
     * The bytes of a literal IPv4 or IPv6 address, or empty if {@code text} is not one. Checked
     * before InetAddress sees it, which would otherwise resolve a host name (or take "256.1.1.1"
     * for one).
     */
    static Optional<byte[]> address(String text) {
        boolean v4 = IPV4.matcher(text).matches();
        if (!v4 && !(IPV6.matcher(text).matches() && text.contains(":"))) {
            return Optional.empty();
        }
        if (v4) {
            for (String octet : text.split("\\.")) {
                // "010" is 10 here but 8 to inet_aton-style parsers: refuse what readers disagree on
                if (Integer.parseInt(octet) > 255 || (octet.length() > 1 && octet.startsWith("0"))) {
                    return Optional.empty();
                }
            }
        }
        try {
            byte[] bytes = InetAddress.getByName(text).getAddress();
            return (v4 == (bytes.length == 4)) ? Optional.of(bytes) : Optional.empty();
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    /** Whether the literal address {@code ip} lies in the network {@code cidr}; false for anything unparsable. */
    static boolean contains(String cidr, String ip) {
        Optional<Network> network = network(cidr);
        Optional<byte[]> address = address(ip);
        if (network.isEmpty() || address.isEmpty() || address.get().length != network.get().address.length) {
            return false;
        }
        byte[] a = address.get();
        byte[] n = network.get().address;
        int bits = network.get().prefix;
        for (int i = 0; i < a.length && bits > 0; i++, bits -= 8) {
            int mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
            if ((a[i] & mask) != (n[i] & mask)) {
                return false;
            }
        }
        return true;
    }

    private record Network(byte[] address, int prefix) {
    }

    private static Optional<Network> network(String cidr) {
        int slash = cidr.indexOf('/');
        if (slash <= 0 || slash != cidr.lastIndexOf('/')) {
            return Optional.empty();
        }
        String prefix = cidr.substring(slash + 1);
        if (!prefix.matches("[0-9]{1,3}")) {
            return Optional.empty();
        }
        Optional<byte[]> address = address(cidr.substring(0, slash));
        int bits = Integer.parseInt(prefix);
        return address.filter(a -> bits <= a.length * 8).map(a -> new Network(a, bits));
    }
}
