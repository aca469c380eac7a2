package dev.herald.bridge;

import dev.herald.sdk.Log;

import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * gRPC and Netty log through java.util.logging, whose default console handler writes plain text.
 * This sends their warnings and errors through {@link Log} instead, as hclog JSON on stderr.
 */
final class JulToHclog extends Handler {
    private static final Log LOG = Log.named("herald.runtime");
    // Held here: java.util.logging keeps loggers weakly, and a collected logger forgets its level.
    private static final Logger NETTY_SERVER_BOOTSTRAP = Logger.getLogger("io.netty.bootstrap.ServerBootstrap");
    private static final Logger NETTY_CLIENT_BOOTSTRAP = Logger.getLogger("io.netty.bootstrap.Bootstrap");

    /** Routes java.util.logging to hclog JSON on stderr, warnings and up. Replaces any other configuration. */
    static void install() {
        LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        root.setLevel(Level.WARNING);
        root.addHandler(new JulToHclog());
        // gRPC sets TCP keep-alive on every accepted connection; on a unix socket Netty warns that
        // the option does not apply, once per connection. Nothing is wrong: keep it out of the log.
        NETTY_SERVER_BOOTSTRAP.setLevel(Level.SEVERE);
        NETTY_CLIENT_BOOTSTRAP.setLevel(Level.SEVERE);
    }

    @Override
    public void publish(LogRecord record) {
        Log.Level level = record.getLevel().intValue() >= Level.SEVERE.intValue() ? Log.Level.ERROR : Log.Level.WARN;
        String message = record.getMessage();
        if (record.getParameters() != null && message != null && message.contains("{")) {
            message = java.text.MessageFormat.format(message, record.getParameters());
        }
        if (record.getThrown() != null) {
            LOG.log(level, String.valueOf(message), "logger", record.getLoggerName(), "error", record.getThrown());
        } else {
            LOG.log(level, String.valueOf(message), "logger", record.getLoggerName());
        }
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }
}
