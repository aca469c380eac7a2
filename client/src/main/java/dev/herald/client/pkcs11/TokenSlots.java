package dev.herald.client.pkcs11;

import dev.herald.client.HeraldException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the slot that holds a token with a given label. SunPKCS11 selects tokens by slot only and
 * the JDK offers no public way to read a token's label, so this asks OpenSC's {@code pkcs11-tool}
 * (fixed arguments, no PIN), the tool people already use to look at their tokens.
 */
final class TokenSlots {
    /** "Slot 0 (0x7e1fb22): description" */
    private static final Pattern SLOT = Pattern.compile("^Slot \\d+ \\(0x([0-9a-fA-F]+)\\):.*$");
    /** "  token label        : My token" */
    private static final Pattern LABEL = Pattern.compile("^\\s+token label\\s*:\\s?(.*)$");
    private static final List<Path> TOOL_PLACES = List.of(Path.of("/usr/bin/pkcs11-tool"),
            Path.of("/usr/local/bin/pkcs11-tool"), Path.of("/opt/homebrew/bin/pkcs11-tool"));

    private TokenSlots() {
    }

    /** The slot id of the token labelled {@code label} in {@code module}. */
    static long slotOf(Path module, String label) {
        Map<String, Long> slots = parse(listTokenSlots(module));
        Long slot = slots.get(label);
        if (slot == null) {
            throw new HeraldException("no token labelled '" + label + "' in PKCS#11 module " + module
                    + " (tokens present: " + (slots.isEmpty() ? "none" : String.join(", ", slots.keySet())) + ")");
        }
        return slot;
    }

    /** Token label to slot id, from {@code pkcs11-tool --list-token-slots} output (labels are space-padded). */
    static Map<String, Long> parse(String output) {
        Map<String, Long> slots = new LinkedHashMap<>();
        Long slot = null;
        for (String line : output.split("\n")) {
            Matcher s = SLOT.matcher(line);
            Matcher l = LABEL.matcher(line);
            if (s.matches()) {
                slot = Long.parseUnsignedLong(s.group(1), 16);
            } else if (l.matches() && slot != null) {
                slots.putIfAbsent(l.group(1).strip(), slot);
                slot = null;
            }
        }
        return slots;
    }

    private static String listTokenSlots(Path module) {
        Path tool = tool();
        List<String> command = new ArrayList<>(List.of(tool.toString(), "--module", module.toString(), "--list-token-slots"));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.PIPE).start();
            process.getOutputStream().close();
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new HeraldException(tool + " did not list the tokens of " + module + " within 30 s");
            }
            String text = new String(output, StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                throw new HeraldException(tool + " could not list the tokens of PKCS#11 module " + module + ": "
                        + text.strip());
            }
            return text;
        } catch (IOException e) {
            throw new HeraldException("cannot run " + tool + " to find the token's slot: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HeraldException("interrupted while listing the tokens of " + module, e);
        }
    }

    private static Path tool() {
        for (Path place : TOOL_PLACES) {
            if (Files.isExecutable(place)) {
                return place;
            }
        }
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(java.io.File.pathSeparator)) {
                if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "pkcs11-tool"))) {
                    return Path.of(dir, "pkcs11-tool");
                }
            }
        }
        throw new HeraldException("choosing a PKCS#11 token by label needs OpenSC's pkcs11-tool, which is not installed;"
                + " install OpenSC or choose the token by slot index");
    }
}
