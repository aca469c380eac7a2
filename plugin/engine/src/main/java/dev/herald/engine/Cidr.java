package dev.herald.engine;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/** IP networks in CIDR notation. Literal addresses only: nothing here may trigger a DNS lookup. */
final class Cidr {
    private static final Pattern IPV4 = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:]{2,39}");

    private Cidr() {
    }

    static boolean valid(String cidr) {
        int slash = cidr.indexOf('/');
        if (slash <= 0 || slash != cidr.lastIndexOf('/')) {
            return false;
        }
        String address = cidr.substring(0, slash);
        String prefix = cidr.substring(slash + 1);
        boolean v4 = IPV4.matcher(address).matches();
        if (!v4 && !(IPV6.matcher(address).matches() && address.contains(":"))) {
            return false; // checked before InetAddress sees it, which would resolve a host name
        }
        if (!prefix.matches("[0-9]{1,3}")) {
            return false;
        }
        if (v4) {
            for (String octet : address.split("\\.")) {
                if (Integer.parseInt(octet) > 255) {
                    return false; // InetAddress would take "256.1.1.1" for a host name and look it up
                }
            }
        }
        try {
            InetAddress parsed = InetAddress.getByName(address);
            int bits = parsed.getAddress().length * 8;
            return (v4 == (bits == 32)) && Integer.parseInt(prefix) <= bits;
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
