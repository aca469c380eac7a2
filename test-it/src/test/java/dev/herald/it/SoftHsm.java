package dev.herald.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A SoftHSM2 token of the test's own (its own token directory and {@code SOFTHSM2_CONF}), made
 * with the Debian tools {@code softhsm2-util} and {@code pkcs11-tool} (OpenSC): a P-256 key made
 * inside the token, and the certificate the test CA issued for it stored beside it, as a PKCS#11
 * client (SunPKCS11) expects a key entry.
 */
final class SoftHsm {
    static final Path MODULE = Path.of("/usr/lib/softhsm/libsofthsm2.so");

    private final Path dir;
    private final String label;

    private SoftHsm(Path dir, String label) {
        this.dir = dir;
        this.label = label;
    }

    /** Whether the module and the tools are installed (scripts/test.sh installs them). */
    static boolean available() {
        return Files.exists(MODULE) && onPath("softhsm2-util") && onPath("pkcs11-tool");
    }

    /** A new token labelled {@code label} in {@code dir}, with the PIN in {@link #pinFile()}. */
    static SoftHsm create(Path dir, String label) {
        SoftHsm hsm = new SoftHsm(dir, label);
        try {
            Files.createDirectories(dir.resolve("tokens"));
            Files.writeString(hsm.config(), "directories.tokendir = " + dir.resolve("tokens") + "\nobjectstore.backend = file\n"
                    + "log.level = ERROR\n");
            Files.writeString(hsm.pinFile(), "", java.nio.charset.StandardCharsets.US_ASCII);
            Files.setPosixFilePermissions(hsm.pinFile(), PosixFilePermissions.fromString("rw-------"));
            Files.writeString(hsm.pinFile(), hsm.pin() + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        hsm.run("softhsm2-util", "--init-token", "--free", "--label", label, "--pin", hsm.pin(), "--so-pin", "87654321");
        return hsm;
    }

    /** Makes a P-256 key pair inside the token under {@code keyLabel}; returns its public key. */
    PublicKey generateP256(String keyLabel, String id) {
        run(tool("--keypairgen", "--key-type", "EC:prime256v1", "--id", id, "--label", keyLabel));
        Path der = dir.resolve(keyLabel + ".pub.der");
        run(tool("--read-object", "--type", "pubkey", "--id", id, "--output-file", der.toString()));
        try {
            return KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(Files.readAllBytes(der)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Stores the certificate (PEM file) in the token beside the key with this id and label. */
    void storeCertificate(Path certificatePem, String keyLabel, String id) {
        try {
            Path der = dir.resolve(keyLabel + ".crt.der");
            String pem = Files.readString(certificatePem);
            Files.write(der, java.util.Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", "")));
            run(tool("--write-object", der.toString(), "--type", "cert", "--id", id, "--label", keyLabel));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String label() {
        return label;
    }

    String pin() {
        return "12345678";
    }

    /** The PIN, in a 0600 file (the client reads PINs from files or the environment only). */
    Path pinFile() {
        return dir.resolve("pin");
    }

    /** The {@code SOFTHSM2_CONF} file every process using the token needs in its environment. */
    Path config() {
        return dir.resolve("softhsm2.conf");
    }

    Map<String, String> environment() {
        return Map.of("SOFTHSM2_CONF", config().toString());
    }

    private String[] tool(String... args) {
        List<String> command = new ArrayList<>(List.of("pkcs11-tool", "--module", MODULE.toString(), "--token-label",
                label, "--login", "--pin", pin()));
        command.addAll(List.of(args));
        return command.toArray(String[]::new);
    }

    private void run(String... command) {
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.environment().putAll(environment());
            Process process = builder.start();
            process.getOutputStream().close();
            String output = new String(process.getInputStream().readAllBytes());
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command).replace(pin(), "****") + " failed: " + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }
}
