package dev.herald.client.auth;

import dev.herald.client.HeraldException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * Where a credential (a token, a JWT, an AppRole secret id, a PIN) is kept: a file or an
 * environment variable. The value is read at every {@link #value()}, so a file that another
 * process rotates (a projected Kubernetes service-account token, a Vault agent sink) is read afresh
 * at each login. Surrounding whitespace (the final newline of {@code echo x > file}) is dropped.
 *
 * <p>{@code toString} names the source, never the value; so do the exceptions.
 */
public final class Secret {
    /** A credential file larger than this is the wrong file (JWTs and tokens are a few KiB). */
    static final int MAX_BYTES = 64 * 1024;

    private final String source;
    private final Path file;
    private final String variable;
    private final Map<String, String> environment;
    private final String fixed;

    private Secret(String source, Path file, String variable, Map<String, String> environment, String fixed) {
        this.source = source;
        this.file = file;
        this.variable = variable;
        this.environment = environment;
        this.fixed = fixed;
    }

    /** The content of {@code file}, read at each use. */
    public static Secret file(Path file) {
        Objects.requireNonNull(file, "file");
        return new Secret("file " + file, file, null, null, null);
    }

    /** The environment variable {@code name} of this process. */
    public static Secret environment(String name) {
        return environment(name, null);
    }

    /** The variable {@code name} of {@code environment} (null: this process's environment); for tests. */
    static Secret environment(String name, Map<String, String> environment) {
        Objects.requireNonNull(name, "name");
        return new Secret("environment variable " + name, null, name,
                environment == null ? null : Map.copyOf(environment), null);
    }

    /** A value the caller already holds, such as {@code VaultConfig.token()}; {@code source} says where it came from. */
    static Secret fixed(String source, String value) {
        Objects.requireNonNull(value, "value");
        return new Secret(source, null, null, null, value);
    }

    /**
     * Reads the value now.
     *
     * @throws HeraldException if the file cannot be read, the variable is not set, or the value is empty
     */
    public String value() {
        String value;
        if (file != null) {
            value = readFile();
        } else if (variable != null) {
            value = environment == null ? System.getenv(variable) : environment.get(variable);
            if (value == null) {
                throw new HeraldException("the " + source + " is not set");
            }
        } else {
            value = fixed;
        }
        value = value.strip();
        if (value.isEmpty()) {
            throw new HeraldException("the " + source + " is empty");
        }
        return value;
    }

    private String readFile() {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_BYTES + 1);
        } catch (NoSuchFileException e) {
            throw new HeraldException("cannot read " + source + ": no such file");
        } catch (AccessDeniedException e) {
            throw new HeraldException("cannot read " + source + ": permission denied");
        } catch (IOException e) {
            // an IOException's message names the file and the problem, never the content
            throw new HeraldException("cannot read " + source + ": " + e, e);
        }
        if (bytes.length > MAX_BYTES) {
            throw new HeraldException("the " + source + " is larger than " + MAX_BYTES / 1024
                    + " KiB: it is not a credential file");
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new HeraldException("the " + source + " is not UTF-8 text");
        }
    }

    /** Where the value is read from, e.g. {@code file /var/run/secrets/token}. */
    public String source() {
        return source;
    }

    @Override
    public String toString() {
        return "Secret[" + source + "]";
    }
}
