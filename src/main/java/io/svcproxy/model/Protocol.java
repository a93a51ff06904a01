package io.svcproxy.model;

import java.util.Locale;

/** The L4 protocols a Service port may use. */
public enum Protocol {
    TCP, UDP, SCTP;

    /** Lower-case name, as iptables matches and kube-proxy's chain hashes use it. */
    public String lower() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses the API's protocol string; empty means TCP, as the API server defaults it. */
    public static Protocol parse(String text) {
        if (text == null || text.isEmpty()) {
            return TCP;
        }
        switch (text) {
            case "TCP": return TCP;
            case "UDP": return UDP;
            case "SCTP": return SCTP;
            default: throw new IllegalArgumentException("unknown protocol '" + text + "' (expected TCP, UDP or SCTP)");
        }
    }
}
