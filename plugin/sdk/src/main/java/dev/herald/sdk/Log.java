package dev.herald.sdk;

import dev.herald.sdk.json.Json;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Logs to stderr as hclog JSON lines, which Vault and OpenBao read from a plugin's stderr and show
 * in their own log with the right level. Never to stdout: that is the plugin handshake channel.
 *
 * <p>The level comes from {@code HERALD_LOG_LEVEL} (trace, debug, info, warn, error; default info).
 * Never pass a secret (a private key, a token, a request body) to a log call.
 */
public final class Log {
    /** Levels, lowest first. */
    public enum Level {
        /** Step-by-step detail. */
        TRACE,
        /** Detail for finding a fault. */
        DEBUG,
        /** What an operator wants to know happened. */
        INFO,
        /** Something went wrong and was dealt with. */
        WARN,
        /** Something failed. */
        ERROR
    }

    private static final DateTimeFormatter TIMESTAMP =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX").withZone(ZoneOffset.UTC);
    // The real stderr, even if System.err is replaced.
    private static final PrintStream STDERR =
            new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
    private static volatile Level threshold = levelFrom(System.getenv("HERALD_LOG_LEVEL"));

    private final String module;

    private Log(String module) {
        this.module = module;
    }

    /**
     * A logger for one part of the plugin.
     *
     * @param module the name its lines carry as {@code "@module"}, e.g. {@code "myplugin.paths"}
     * @return the logger
     */
    public static Log named(String module) {
        return new Log(module);
    }

    private static Level levelFrom(String name) {
        if (name == null || name.isBlank()) {
            return Level.INFO;
        }
        try {
            return Level.valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return Level.INFO;
        }
    }

    /**
     * Sets the lowest level logged, for the whole process (instead of {@code HERALD_LOG_LEVEL}).
     *
     * @param level the lowest level logged
     */
    public static void setLevel(Level level) {
        threshold = level;
    }

    /**
     * Whether lines of a level are logged: to skip building costly values otherwise.
     *
     * @param level a level
     * @return whether it is logged
     */
    public static boolean enabled(Level level) {
        return level.compareTo(threshold) >= 0;
    }

    /**
     * Logs at trace level.
     *
     * @param message   what happened, constant text (the values go in {@code keyValues})
     * @param keyValues extra fields: a name, its value, a name, its value...; never a secret
     */
    public void trace(String message, Object... keyValues) {
        log(Level.TRACE, message, keyValues);
    }

    /**
     * Logs at debug level.
     *
     * @param message   what happened, constant text (the values go in {@code keyValues})
     * @param keyValues extra fields: a name, its value, a name, its value...; never a secret
     */
    public void debug(String message, Object... keyValues) {
        log(Level.DEBUG, message, keyValues);
    }

    /**
     * Logs at info level.
     *
     * @param message   what happened, constant text (the values go in {@code keyValues})
     * @param keyValues extra fields: a name, its value, a name, its value...; never a secret
     */
    public void info(String message, Object... keyValues) {
        log(Level.INFO, message, keyValues);
    }

    /**
     * Logs at warn level.
     *
     * @param message   what happened, constant text (the values go in {@code keyValues})
     * @param keyValues extra fields: a name, its value, a name, its value...; never a secret
     */
    public void warn(String message, Object... keyValues) {
        log(Level.WARN, message, keyValues);
    }

    /**
     * Logs at error level.
     *
     * @param message   what happened, constant text (the values go in {@code keyValues})
     * @param keyValues extra fields: a name, its value, a name, its value...; never a secret
     */
    public void error(String message, Object... keyValues) {
        log(Level.ERROR, message, keyValues);
    }

    /**
     * Logs {@code message} with extra fields given as alternating names and values.
     *
     * @param level     the line's level
     * @param message   what happened, constant text (the values go in {@code keyValues})
     * @param keyValues extra fields: a name, its value, a name, its value...; never a secret
     */
    public void log(Level level, String message, Object... keyValues) {
        if (!enabled(level)) {
            return;
        }
        STDERR.println(line(level, module, message, Instant.now(), keyValues));
    }

    /** One hclog JSON line (without the newline). */
    static String line(Level level, String module, String message, Instant time, Object... keyValues) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("@level", level.name().toLowerCase(Locale.ROOT));
        entry.put("@message", message);
        entry.put("@module", module);
        entry.put("@timestamp", TIMESTAMP.format(time));
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            Object value = keyValues[i + 1];
            entry.put(String.valueOf(keyValues[i]), value instanceof Throwable t ? describe(t) : printable(value));
        }
        return Json.write(entry);
    }

    private static Object printable(Object value) {
        return value == null || value instanceof String || value instanceof Number || value instanceof Boolean
                ? value : String.valueOf(value);
    }

    private static String describe(Throwable t) {
        StringBuilder text = new StringBuilder(t.toString());
        for (StackTraceElement frame : t.getStackTrace()) {
            if (text.length() > 4000) {
                break;
            }
            text.append("\n\tat ").append(frame);
        }
        return text.toString();
    }
}
