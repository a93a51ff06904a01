package io.svcproxy.explain.ipvs;

import io.svcproxy.ipvs.RealServer;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What share of new connections each destination of a virtual server gets from its scheduler.
 * Round robin (rr) takes the destinations with weight > 0 in turn, whatever their weights: over N
 * new connections each of the k gets floor(N/k) or ceil(N/k), a share of 1/k. Weighted round robin
 * (wrr) interleaves them by weight: a share of weight / sum. The others decide on state we cannot
 * see (active connections: lc, wlc, sed, nq, lblc, lblcr) or on a hash of the source (sh, dh, mh);
 * for them the weighted shares are stated with a note saying on what the real choice depends.
 */
final class IpvsScheduling {
    private IpvsScheduling() {
    }

    /** Destinations with weight 0 (draining) get no new connections. */
    static Map<RealServer, Double> shares(String scheduler, List<RealServer> destinations) {
        List<RealServer> serving = destinations.stream().filter(d -> d.weight() > 0).toList();
        double total = scheduler.equals("rr") ? serving.size() : serving.stream().mapToLong(RealServer::weight).sum();
        Map<RealServer, Double> out = new LinkedHashMap<>();
        for (RealServer d : serving) {
            out.put(d, (scheduler.equals("rr") ? 1 : d.weight()) / total);
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
