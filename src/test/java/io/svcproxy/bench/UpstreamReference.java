package io.svcproxy.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Upstream kube-proxy's figures as the reference run recorded them on this kind of machine
 * (shared/reference/kube-proxy-v1.36.2/README.md, "Speed and memory"), read from that file so the
 * report never types a number in: per size and mode, first full sync, one endpoint change, new
 * service visible (seconds) and RSS (MiB, a range). The reference's plain rows are its iptables mode
 * on iptables-nft; its "nftables mode" and "iptables-legacy backend" rows are the other modes.
 */
public final class UpstreamReference {
    static final String README = "shared/reference/kube-proxy-v1.36.2/README.md";
    private static final Pattern NUMBER = Pattern.compile("([0-9][0-9,]*(?:\\.[0-9]+)?)");

    /** One row of the reference table; a missing figure is NaN. */
    public record Figures(double firstSyncSeconds, double endpointChangeSeconds, double newServiceSeconds,
                          double rssMinMiB, double rssMaxMiB, String rssText) {
    }

    private final Map<String, Figures> rows;
    private final Path source;

    private UpstreamReference(Map<String, Figures> rows, Path source) {
        this.rows = rows;
        this.source = source;
    }

    /** The reference found in a directory above the working one, or an empty one when absent. */
    public static UpstreamReference find() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(README);
            if (Files.isRegularFile(candidate)) {
                try {
                    return new UpstreamReference(parse(Files.readString(candidate)), candidate);
                } catch (IOException e) {
                    break;
                }
            }
        }
        return new UpstreamReference(Map.of(), null);
    }

    public Optional<Path> source() {
        return Optional.ofNullable(source);
    }

    /** The reference's figures for that size and mode label ({@link EndToEndMode#label()}), if it has a row. */
    public Optional<Figures> figures(int size, String mode) {
        return Optional.ofNullable(rows.get(size + "|" + mode));
    }

    /** The "Speed and memory" table: "| size[, mode] | first full sync | 1-endpoint change | new service visible | RSS |". */
    static Map<String, Figures> parse(String readme) {
        Map<String, Figures> out = new LinkedHashMap<>();
        boolean inTable = false;
        for (String line : readme.lines().toList()) {
            if (line.startsWith("| size | first full sync")) {
                inTable = true;
                continue;
            }
            if (!inTable) {
                continue;
            }
            if (!line.startsWith("|")) {
                break;
            }
            String[] cells = line.split("\\|");
            if (cells.length < 6 || cells[1].contains("---")) {
                continue;
            }
            String head = cells[1].trim();
            Matcher size = NUMBER.matcher(head);
            if (!size.find()) {
                continue;
            }
            String mode = head.contains("nftables") ? EndToEndMode.NFTABLES.label()
                    : head.contains("legacy") ? EndToEndMode.IPTABLES_LEGACY.label() : EndToEndMode.IPTABLES_NFT.label();
            double[] rss = range(cells[5]);
            out.put(number(size.group(1)) + "|" + mode, new Figures(seconds(cells[2]), seconds(cells[3]),
                    seconds(cells[4]), rss[0], rss[1], cells[5].trim()));
        }
        return out;
    }

    /** "4.25 s" -> 4.25; "about 61 min (3,655 s, ...)" -> 3655 (the figure in seconds). */
    static double seconds(String cell) {
        Matcher s = Pattern.compile("([0-9][0-9,]*(?:\\.[0-9]+)?) s\\b").matcher(cell);
        return s.find() ? Double.parseDouble(s.group(1).replace(",", "")) : Double.NaN;
    }

    static double[] range(String cell) {
        Matcher m = Pattern.compile("([0-9]+)(?:-([0-9]+))? MiB").matcher(cell);
        if (!m.find()) {
            return new double[] {Double.NaN, Double.NaN};
        }
        double lo = Double.parseDouble(m.group(1));
        return new double[] {lo, m.group(2) == null ? lo : Double.parseDouble(m.group(2))};
    }

    private static int number(String text) {
        return (int) Double.parseDouble(text.replace(",", ""));
    }
}
