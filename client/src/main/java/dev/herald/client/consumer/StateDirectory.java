package dev.herald.client.consumer;

import dev.herald.client.AtomicFiles;
import dev.herald.client.HeraldException;
import dev.herald.client.VerificationException;
import dev.herald.client.log.LogWire;
import dev.herald.tlog.NoteVerifier;
import dev.herald.sdk.json.Json;
import dev.herald.sdk.json.JsonException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * A directory that keeps what a consumer must remember between runs ({@code herald --state DIR}):
 * <ul>
 *   <li>{@value #SIGNER_KEYS}: the pinned signer keys, a JWK Set (readable by any JOSE library,
 *       and by {@code herald verify --jwks});</li>
 *   <li>{@value #SEQ}: the highest {@code seq} seen per issuer and service, so that an older record
 *       replayed later is refused as a rollback;</li>
 *   <li>{@value #LOG_KEYS}: the pinned verifier keys of the mount's verifiable log, one vkey a line;</li>
 *   <li>{@value #LOG}{@code /<origin, escaped>/}: that log's files: {@code checkpoint} (the largest
 *       verified checkpoint note), the progress of {@code herald log verify} and {@code log watch},
 *       and {@code evidence-<time>/} directories of inconsistencies;</li>
 *   <li>{@value #LOCK}: the lock file.</li>
 * </ul>
 * Several processes (and threads) may share one directory: every read-modify-write holds an
 * exclusive lock on the lock file ({@link FileChannel#lock}, which works between processes; within
 * this JVM a monitor per directory serialises threads first, as the JVM holds file locks per
 * process). Every file is replaced atomically (a temporary file in the same directory, fsync,
 * atomic rename, fsync of the directory), so a reader without the lock sees the old content or the
 * new, never a mix. The directory is created owner-only (0700), its files 0600.
 */
public final class StateDirectory implements TrustState {
    /** The pinned signer keys (JWK Set). */
    public static final String SIGNER_KEYS = "signer-keys.json";
    /** The highest seq seen: {@code {"seq": {"<issuer>": {"<service>": N}}}}. */
    public static final String SEQ = "seq.json";
    /** The consumer sessions (DESIGN §5.8), by issuer and service. */
    public static final String SESSIONS = "sessions.json";
    /** The pinned log verifier keys, one vkey a line. */
    public static final String LOG_KEYS = "log-keys.txt";
    /** The directory of the log files, one subdirectory per origin. */
    public static final String LOG = "log";
    /** Locked for every change. */
    public static final String LOCK = ".lock";

    private static final ConcurrentHashMap<Path, Object> MONITORS = new ConcurrentHashMap<>();
    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

    private final Path directory;
    private final Object monitor;

    private StateDirectory(Path directory) {
        this.directory = directory;
        this.monitor = MONITORS.computeIfAbsent(directory, path -> new Object());
    }

    /**
     * Opens the state directory, creating it (owner-only) if it does not exist.
     *
     * @throws HeraldException if it cannot be created, or is not a directory
     */
    public static StateDirectory open(Path directory) {
        try {
            if (!Files.isDirectory(directory)) {
                createPrivateDirectories(directory);
            }
            return new StateDirectory(directory.toRealPath());
        } catch (IOException e) {
            throw new HeraldException("cannot use state directory " + directory + ": " + e);
        }
    }

    public Path path() {
        return directory;
    }

    @Override
    public Optional<SignerKeys> signerKeys() {
        return read(SIGNER_KEYS).map(text -> {
            try {
                return SignerKeys.parseJwks(text);
            } catch (VerificationException e) {
                throw new VerificationException("state file " + directory.resolve(SIGNER_KEYS) + " is not valid: "
                        + e.getMessage(), e);
            }
        });
    }

    @Override
    public SignerKeys pinFirst(SignerKeys fetched) {
        return locked(() -> signerKeys().orElseGet(() -> {
            write(SIGNER_KEYS, Json.write(fetched.toJwks()));
            return fetched;
        }));
    }

    @Override
    public SignerKeys addSignerKeys(SignerKeys followed) {
        return locked(() -> {
            Optional<SignerKeys> stored = signerKeys();
            SignerKeys pinned = stored.map(keys -> keys.plus(followed)).orElse(followed);
            if (!stored.equals(Optional.of(pinned))) {
                write(SIGNER_KEYS, Json.write(pinned.toJwks()));
            }
            return pinned;
        });
    }

    /** The highest seq seen for the service, if any. */
    public OptionalLong highestSeq(String issuer, String service) {
        Long seen = seqs().getOrDefault(issuer, Map.of()).get(service);
        return seen == null ? OptionalLong.empty() : OptionalLong.of(seen);
    }

    /**
     * Records {@code seq} for the service if it is the highest yet (an equal one changes nothing).
     *
     * @throws VerificationException "rollback: seq N is lower than M already seen" if it is lower
     */
    @Override
    public void acceptSeq(String issuer, String service, long seq) {
        locked(() -> {
            Map<String, Map<String, Long>> seqs = seqs();
            Map<String, Long> ofIssuer = seqs.computeIfAbsent(issuer, i -> new LinkedHashMap<>());
            Long seen = ofIssuer.get(service);
            if (seen != null && seq < seen) {
                throw TrustState.rollback(issuer, service, seq, seen);
            }
            if (seen == null || seq > seen) {
                ofIssuer.put(service, seq);
                write(SEQ, Json.write(Map.of("seq", seqs)));
            }
            return null;
        });
    }

    /** The session kept for the service, made and written on first use (see {@link TrustState#session}). */
    @Override
    public String session(String issuer, String service) {
        return locked(() -> {
            String where = "state file " + directory.resolve(SESSIONS);
            Map<String, Object> sessions = new LinkedHashMap<>();
            Optional<String> text = read(SESSIONS);
            if (text.isPresent()) {
                try {
                    sessions.putAll(Json.parseObject(text.get()));
                } catch (JsonException e) {
                    throw new VerificationException(where + " is not valid JSON: " + e.getMessage(), e);
                }
            }
            String key = issuer + " " + service;
            if (sessions.get(key) instanceof String session && Acknowledger.SESSION.matcher(session).matches()) {
                return session;
            }
            String session = Acknowledger.newSession();
            sessions.put(key, session);
            write(SESSIONS, Json.write(sessions));
            return session;
        });
    }

    /** The seq file's content: issuer, then service, then the highest seq. */
    private Map<String, Map<String, Long>> seqs() {
        Map<String, Map<String, Long>> seqs = new LinkedHashMap<>();
        Optional<String> text = read(SEQ);
        if (text.isEmpty()) {
            return seqs;
        }
        String where = "state file " + directory.resolve(SEQ);
        try {
            Claims file = Claims.of(Json.parseObject(text.get()), where);
            for (Map.Entry<String, Object> issuer : file.object("seq").members().entrySet()) {
                Claims services = Claims.of(issuer.getValue(), where + " issuer " + Claims.quote(issuer.getKey()));
                Map<String, Long> ofIssuer = new LinkedHashMap<>();
                for (String service : services.members().keySet()) {
                    long seq = services.integer(service);
                    if (seq < 0) {
                        throw new VerificationException(where + " has a negative seq for " + Claims.quote(service));
                    }
                    ofIssuer.put(service, seq);
                }
                seqs.put(issuer.getKey(), ofIssuer);
            }
            return seqs;
        } catch (JsonException e) {
            throw new VerificationException(where + " is not valid JSON: " + e.getMessage(), e);
        }
    }

    private Optional<String> read(String name) {
        try {
            return Optional.of(Files.readString(directory.resolve(name), StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new HeraldException("cannot read " + directory.resolve(name) + ": " + e);
        }
    }

    /** Runs {@code action} holding this JVM's monitor for the directory and then the file lock. */
    private <T> T locked(Supplier<T> action) {
        synchronized (monitor) {
            try (FileChannel channel = FileChannel.open(directory.resolve(LOCK),
                    Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE), ownerOnly());
                 FileLock lock = channel.lock()) {
                return action.get();
            } catch (IOException e) {
                throw new HeraldException("cannot lock " + directory.resolve(LOCK) + ": " + e);
            }
        }
    }

    /** Replaces {@code name} atomically (owner-only, like every file here). */
    private void write(String name, String content) {
        AtomicFiles.replace(directory.resolve(name), content, AtomicFiles.Permissions.OWNER_ONLY);
    }

    private static FileAttribute<?>[] ownerOnly() {
        return POSIX ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
                : new FileAttribute<?>[0];
    }

    @Override
    public String toString() {
        return "StateDirectory[" + directory + "]";
    }

    @Override
    public Optional<List<NoteVerifier>> logKeys() {
        return read(LOG_KEYS).map(text -> {
            try {
                return LogWire.keys(text.getBytes(StandardCharsets.UTF_8));
            } catch (VerificationException e) {
                throw new VerificationException("state file " + directory.resolve(LOG_KEYS) + " is not valid: "
                        + e.getMessage(), e);
            }
        });
    }

    @Override
    public List<NoteVerifier> pinLogKeys(List<NoteVerifier> keys) {
        return locked(() -> logKeys().orElseGet(() -> {
            StringBuilder text = new StringBuilder();
            keys.forEach(key -> text.append(key.vkey()).append('\n'));
            write(LOG_KEYS, text.toString());
            return List.copyOf(keys);
        }));
    }

    @Override
    public Optional<String> readLog(String origin, String name) {
        return read(LOG + "/" + escape(origin) + "/" + name);
    }

    @Override
    public boolean replaceLog(String origin, String name, Optional<String> expected, String content) {
        String file = LOG + "/" + escape(origin) + "/" + name;
        return locked(() -> {
            if (!read(file).equals(expected)) {
                return false;
            }
            createPrivateDirectories(directory.resolve(file).getParent());
            write(file, content);
            return true;
        });
    }

    @Override
    public Optional<Path> writeEvidence(String origin, Map<String, String> files) {
        Path base = directory.resolve(LOG).resolve(escape(origin));
        String time = Instant.now().toString().replace(':', '-');
        Path evidence = base.resolve("evidence-" + time);
        for (int i = 1; Files.exists(evidence); i++) {
            evidence = base.resolve("evidence-" + time + "-" + i);
        }
        createPrivateDirectories(evidence);
        for (Map.Entry<String, String> file : files.entrySet()) {
            AtomicFiles.replace(evidence.resolve(file.getKey()), file.getValue(), AtomicFiles.Permissions.OWNER_ONLY);
        }
        return Optional.of(evidence);
    }

    /**
     * An origin as one file name: letters, digits, '.', '_' and '-' as they are, every other byte of
     * its UTF-8 as {@code %XX} (so "vault.example.com/herald/log" is "vault.example.com%2Fherald%2Flog").
     */
    static String escape(String origin) {
        StringBuilder name = new StringBuilder();
        for (byte b : origin.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if (c < 0x80 && (Character.isLetterOrDigit(c) || c == '.' || c == '_' || c == '-')) {
                name.append(c);
            } else {
                name.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        String escaped = name.toString();
        return escaped.startsWith(".") ? "%2E" + escaped.substring(1) : escaped;
    }

    private static void createPrivateDirectories(Path path) {
        try {
            if (POSIX) {
                Files.createDirectories(path, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } else {
                Files.createDirectories(path);
            }
        } catch (IOException e) {
            throw new HeraldException("cannot create " + path + ": " + e);
        }
    }
}
