package dev.herald.sdk;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;

/**
 * Durations as Vault operators write them: a number of seconds ({@code 3600}, {@code "3600"}) or a
 * Go duration string ({@code "1h30m"}, {@code "1.5h"}, {@code "500ms"}), plus the day unit {@code d}
 * that Vault accepts ({@code "7d"}).
 */
public final class Durations {
    /** Input longer than this is refused before any arithmetic; no operator writes such durations. */
    private static final int MAX_LENGTH = 100;

    private static final BigInteger NANOS_PER_SECOND = BigInteger.valueOf(1_000_000_000L);

    private Durations() {}

    /**
     * Parses a duration. Numbers ({@link Long}, {@link Integer}, {@link BigInteger}, integral
     * {@link BigDecimal}) and all-digit strings (with an optional leading '-') are seconds. Other
     * strings are Go durations: an optional sign, then one or more {@code <decimal><unit>} with units
     * ns, us (or µs), ms, s, m, h, d (24h); "0" needs no unit. Negative values are returned as they
     * are, for callers to check.
     *
     * @param value a string or a number, as it came in a request
     * @return the duration
     * @throws IllegalArgumentException {@code invalid duration "<value>": <why>} for anything else,
     *                                  including values outside {@link Duration}'s range
     */
    public static Duration parse(Object value) {
        return switch (value) {
            case null -> throw invalid("null", "no value");
            case Long n -> Duration.ofSeconds(n);
            case Integer n -> Duration.ofSeconds(n);
            case BigInteger n -> {
                if (n.bitLength() > 63) {
                    throw invalid(n.toString(), "out of range");
                }
                yield Duration.ofSeconds(n.longValue());
            }
            case BigDecimal n -> fromDecimalSeconds(n);
            case String s -> parseString(s);
            default -> throw invalid(String.valueOf(value), "unsupported type " + value.getClass().getName());
        };
    }

    private static Duration fromDecimalSeconds(BigDecimal n) {
        if (n.signum() == 0) {
            return Duration.ZERO;
        }
        BigDecimal stripped = n.stripTrailingZeros(); // 60.0 is a whole number of seconds
        if (stripped.scale() > 0) {
            throw invalid(n.toString(), "fractional seconds");
        }
        // Count integer digits first so 1E+1000000 is refused without being expanded.
        if ((long) stripped.precision() - stripped.scale() > 19) {
            throw invalid(n.toString(), "out of range");
        }
        try {
            return Duration.ofSeconds(stripped.longValueExact());
        } catch (ArithmeticException e) {
            throw invalid(n.toString(), "out of range");
        }
    }

    private static Duration parseString(String s) {
        if (s.isEmpty()) {
            throw invalid(s, "empty");
        }
        if (s.length() > MAX_LENGTH) {
            throw invalid(s, "longer than " + MAX_LENGTH + " characters");
        }
        if (isSeconds(s)) {
            try {
                return Duration.ofSeconds(Long.parseLong(s));
            } catch (NumberFormatException e) {
                throw invalid(s, "out of range");
            }
        }
        int len = s.length();
        int i = 0;
        boolean negative = false;
        if (s.charAt(0) == '-' || s.charAt(0) == '+') {
            negative = s.charAt(0) == '-';
            i++;
        }
        if (i == len - 1 && s.charAt(i) == '0') {
            return Duration.ZERO; // "+0", "-0"; plain "0" was taken as seconds
        }
        if (i == len) {
            throw invalid(s, "expected a number");
        }
        BigInteger nanos = BigInteger.ZERO;
        while (i < len) {
            int numberStart = i;
            while (i < len && isDigit(s.charAt(i))) {
                i++;
            }
            boolean intDigits = i > numberStart;
            boolean fracDigits = false;
            if (i < len && s.charAt(i) == '.') {
                i++;
                int fracStart = i;
                while (i < len && isDigit(s.charAt(i))) {
                    i++;
                }
                fracDigits = i > fracStart;
            }
            if (!intDigits && !fracDigits) {
                throw invalid(s, "expected a number");
            }
            int unitStart = i;
            while (i < len && s.charAt(i) != '.' && !isDigit(s.charAt(i))) {
                i++;
            }
            String unit = s.substring(unitStart, i);
            if (unit.isEmpty()) {
                throw invalid(s, "missing unit");
            }
            long unitNanos = unitNanos(unit);
            if (unitNanos == 0) {
                throw invalid(s, "unknown unit \"" + sanitize(unit, 10) + "\"");
            }
            // Exact decimal arithmetic, truncating below a nanosecond per component as Go does.
            // MAX_LENGTH keeps these numbers small.
            BigDecimal amount = new BigDecimal(s.substring(numberStart, unitStart));
            nanos = nanos.add(amount.multiply(BigDecimal.valueOf(unitNanos)).toBigInteger());
        }
        if (negative) {
            nanos = nanos.negate();
        }
        BigInteger[] secondsAndNanos = nanos.divideAndRemainder(NANOS_PER_SECOND);
        if (secondsAndNanos[0].bitLength() > 63) {
            throw invalid(s, "out of range");
        }
        try {
            // A negative remainder is fine: ofSeconds normalises it, or overflows at Long.MIN_VALUE.
            return Duration.ofSeconds(secondsAndNanos[0].longValue(), secondsAndNanos[1].longValue());
        } catch (ArithmeticException e) {
            throw invalid(s, "out of range");
        }
    }

    private static boolean isSeconds(String s) {
        int start = s.charAt(0) == '-' ? 1 : 0;
        if (start == s.length()) {
            return false;
        }
        for (int i = start; i < s.length(); i++) {
            if (!isDigit(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** Nanoseconds per unit, or 0 for an unknown unit. */
    private static long unitNanos(String unit) {
        return switch (unit) {
            case "ns" -> 1L;
            case "us", "\u00b5s", "\u03bcs" -> 1_000L; // micro sign and Greek mu, as Go accepts both
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            case "m" -> 60_000_000_000L;
            case "h" -> 3_600_000_000_000L;
            case "d" -> 86_400_000_000_000L;
            default -> 0L;
        };
    }

    /**
     * Whole seconds in a duration, rounded towards negative infinity.
     *
     * @param d any duration
     * @return its seconds
     */
    public static long toSeconds(Duration d) {
        return d.getSeconds();
    }

    /**
     * Nanoseconds in a duration, saturating at {@link Long#MAX_VALUE} (or {@link Long#MIN_VALUE}).
     *
     * @param d any duration
     * @return its nanoseconds, as Go's {@code time.Duration} counts them
     */
    public static long toNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return d.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    /**
     * Formats {@code d} as Go's {@code time.Duration.String} does: "1h30m0s", "1m30s", "1.5s",
     * "500ms", "0s". Unlike Go it covers the whole range of {@link Duration}.
     *
     * @param d any duration
     * @return its text
     */
    public static String format(Duration d) {
        if (d.isZero()) {
            return "0s";
        }
        StringBuilder sb = new StringBuilder(24);
        long seconds = d.getSeconds();
        int nanos = d.getNano();
        if (d.isNegative()) {
            sb.append('-');
            // Magnitude of seconds + nanos/1e9 with 0 <= nanos < 1e9. For Long.MIN_VALUE seconds the
            // negation wraps to itself, which read as unsigned is exactly 2^63: hence unsigned below.
            if (nanos == 0) {
                seconds = -seconds;
            } else {
                seconds = -(seconds + 1);
                nanos = 1_000_000_000 - nanos;
            }
        }
        if (seconds == 0) {
            // Under a second: the largest of ns, µs, ms that keeps the integer part non-zero.
            if (nanos < 1_000) {
                return sb.append(nanos).append("ns").toString();
            }
            if (nanos < 1_000_000) {
                appendFraction(sb, nanos / 1_000, nanos % 1_000, 3);
                return sb.append("\u00b5s").toString();
            }
            appendFraction(sb, nanos / 1_000_000, nanos % 1_000_000, 6);
            return sb.append("ms").toString();
        }
        long hours = Long.divideUnsigned(seconds, 3600);
        long rest = Long.remainderUnsigned(seconds, 3600);
        if (hours != 0) {
            sb.append(Long.toUnsignedString(hours)).append('h').append(rest / 60).append('m');
        } else if (rest >= 60) {
            sb.append(rest / 60).append('m');
        }
        appendFraction(sb, rest % 60, nanos, 9);
        return sb.append('s').toString();
    }

    /** Appends whole, then fraction/10^digits as decimals without trailing zeros (none if 0). */
    private static void appendFraction(StringBuilder sb, long whole, int fraction, int digits) {
        sb.append(whole);
        if (fraction == 0) {
            return;
        }
        while (fraction % 10 == 0) {
            fraction /= 10;
            digits--;
        }
        String f = Integer.toString(fraction);
        sb.append('.');
        for (int i = f.length(); i < digits; i++) {
            sb.append('0');
        }
        sb.append(f);
    }

    private static IllegalArgumentException invalid(String value, String why) {
        return new IllegalArgumentException("invalid duration \"" + sanitize(value, 40) + "\": " + why);
    }

    /** At most {@code max} characters of {@code s}, control characters shown as '?'. */
    private static String sanitize(String s, int max) {
        int n = Math.min(s.length(), max);
        if (n < s.length() && n > 0 && Character.isHighSurrogate(s.charAt(n - 1))) {
            n--; // don't split a pair
        }
        StringBuilder sb = new StringBuilder(n + 3);
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            sb.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        return n < s.length() ? sb.append("...").toString() : sb.toString();
    }
}
