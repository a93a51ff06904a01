package io.svcproxy.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Byte-exact fixtures kept as reviewable text: '#' lines are comments (the first ones say what the
 * bytes are and how they were recorded), everything else is hex, 16 bytes a line.
 */
public final class HexFixture {
    private HexFixture() {
    }

    public static byte[] read(Path file) {
        StringBuilder hex = new StringBuilder();
        for (String line : lines(file)) {
            if (!line.startsWith("#")) {
                hex.append(line.replaceAll("\\s+", ""));
            }
        }
        return HexFormat.of().parseHex(hex.toString());
    }

    /** The value of a "# key: value" comment line, or null. */
    public static String comment(Path file, String key) {
        for (String line : lines(file)) {
            if (line.startsWith("# " + key + ":")) {
                return line.substring(key.length() + 3).trim();
            }
        }
        return null;
    }

    public static void write(Path file, List<String> comments, byte[] bytes) {
        List<String> out = new ArrayList<>();
        for (String c : comments) {
            out.add("# " + c);
        }
        HexFormat f = HexFormat.ofDelimiter(" ");
        for (int i = 0; i < bytes.length; i += 16) {
            byte[] row = java.util.Arrays.copyOfRange(bytes, i, Math.min(bytes.length, i + 16));
            out.add(f.formatHex(row));
        }
        try {
            Files.write(file, out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
