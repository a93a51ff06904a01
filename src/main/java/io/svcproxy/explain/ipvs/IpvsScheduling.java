package io.svcproxy.explain.ipvs;

import io.svcproxy.ipvs.RealServer;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What share of new connections each destination of a virtual server gets from its scheduler.
 * Round robin (rr, wrr) rotates deterministically: the share over many connections is weight / sum,
 * exactly for rr with kube-proxy's equal weights. The others decide on state we cannot see (active
 * connections: lc, wlc, sed, nq, lblc, lblcr) or on a hash of the source (sh, dh, mh); for them the
 * same weighted shares are stated with a note saying on what the real choice depends.
 */
final class IpvsScheduling {
    private IpvsScheduling() {
    }

    /** Destinations with weight 0 (draining) get no new connections. */
    static Map<RealServer, Double> shares(List<RealServer> destinations) {
        long total = destinations.stream().mapToLong(RealServer::weight).sum();
        Map<RealServer, Double> out = new LinkedHashMap<>();
        if (total == 0) {
            return out;
        }
        for (RealServer d : destinations) {
            if (d.weight() > 0) {
                out.put(d, d.weight() / (double) total);
            }
        }
        return out;
    }

    /** Null for rr/wrr (the shares are the scheduler's), else what the real choice depends on. */
    static String caveat(String scheduler) {
        return switch (scheduler) {
            case "rr", "wrr" -> null;
            case "sh", "dh", "mh" -> "the " + scheduler + " scheduler picks one destination by a hash of the "
                    + (scheduler.equals("dh") ? "destination" : "source") + " address (not evaluated which): the shares"
                    + " are over many clients";
            default -> "the " + scheduler + " scheduler picks by active connections (not known): the shares are"
                    + " those of idle destinations";
        };
    }
}
