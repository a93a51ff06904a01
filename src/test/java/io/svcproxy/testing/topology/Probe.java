package io.svcproxy.testing.topology;

/**
 * One client attempt: which backend answered (the echo servers reply "NAME PEERADDR"), or how it failed.
 * REFUSED is an immediate ICMP/RST answer (iptables REJECT), TIMEOUT is silence (DROP, or nothing there).
 */
public record Probe(Outcome outcome, String backend, String peer, long millis, String raw) {
    public enum Outcome { OK, REFUSED, TIMEOUT, UNREACHABLE, OTHER }

    public boolean ok() {
        return outcome == Outcome.OK;
    }

    /** The histogram key: the backend's name, or the failure kind. */
    public String key() {
        return ok() ? backend : outcome.name();
    }

    /** Parses one line of the probe scripts: "RC MILLIS OUTPUT...". */
    static Probe parse(String line, boolean udp) {
        String[] f = line.trim().split(" ", 3);
        int rc = Integer.parseInt(f[0]);
        long ms = Long.parseLong(f[1]);
        String out = f.length > 2 ? f[2].trim() : "";
        String lower = out.toLowerCase();
        if (rc == 0 && !out.isEmpty() && !lower.contains(" e ") && !lower.contains("socat[")) {
            String[] w = out.split("\\s+");
            return new Probe(Outcome.OK, w[0], w.length > 1 ? w[1] : "", ms, out);
        }
        Outcome o;
        if (lower.contains("refused")) {
            o = Outcome.REFUSED;
        } else if (lower.contains("unreachable") || lower.contains("no route")) {
            o = Outcome.UNREACHABLE;
        } else if (lower.contains("timed out") || lower.contains("timeout") || rc > 128 || (udp && rc == 124) || (rc == 0 && out.isEmpty())
                || (udp && rc == 1 && out.isEmpty())) {
            o = Outcome.TIMEOUT;
        } else {
            o = Outcome.OTHER;
        }
        return new Probe(o, null, null, ms, "rc=" + rc + " " + out);
    }
}
