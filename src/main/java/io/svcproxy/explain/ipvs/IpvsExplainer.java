package io.svcproxy.explain.ipvs;

import io.svcproxy.explain.Addresses;
import io.svcproxy.explain.Explanation;
import io.svcproxy.explain.Flow;
import io.svcproxy.explain.Hop;
import io.svcproxy.explain.NodeFacts;
import io.svcproxy.explain.Packet;
import io.svcproxy.explain.Path;
import io.svcproxy.explain.Verdict;
import io.svcproxy.explain.iptables.IptablesExplainer;
import io.svcproxy.explain.iptables.LocalDelivery;
import io.svcproxy.ipset.IpsetState;
import io.svcproxy.ipvs.IpvsState;
import io.svcproxy.ipvs.RealServer;
import io.svcproxy.ipvs.VirtualServer;
import io.svcproxy.iptables.Ruleset;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * IPVS mode: the iptables glue walked with its ipsets evaluated; the service addresses are bound on
 * kube-ipvs0, so a packet to one is delivered locally, where the virtual server (address, protocol,
 * port) takes it at LOCAL_IN and NATs it to a destination chosen by its scheduler; it then leaves
 * through filter OUTPUT and nat POSTROUTING (masquerade by mark or KUBE-LOOP-BACK).
 */
public final class IpvsExplainer {
    private IpvsExplainer() {
    }

    public static Explanation explain(Ruleset glue, IpsetState ipsets, IpvsState ipvs, Packet packet, NodeFacts node,
                                      String rulesName) {
        List<java.net.InetAddress> local = new ArrayList<>(node.addresses());
        local.addAll(ipvs.boundAddresses());
        NodeFacts withVips = new NodeFacts(local);
        LocalDelivery ipvsIn = (flow, done) -> atLocalIn(ipvs, packet, flow, done);
        Explanation e = IptablesExplainer.explain(glue, packet, withVips, rulesName, new IpsetMatcher(ipsets), ipvsIn);
        return e;
    }

    private static List<Flow> atLocalIn(IpvsState ipvs, Packet packet, Flow flow, List<Path> done) {
        VirtualServer.Key key = new VirtualServer.Key(flow.destination(), packet.protocol(), flow.port());
        VirtualServer vs = ipvs.services().get(key);
        // a NodePort's virtual server may be on any node address; IPVS looks up the exact one
        if (vs == null) {
            done.add(flow.end(null));
            return List.of();
        }
        String where = "IPVS " + key;
        String header = "virtual server " + packet.protocol().lower() + " " + Addresses.hostPort(vs.address(), vs.port())
                + " scheduler " + vs.scheduler() + (vs.timeoutSeconds() > 0 ? " persistent " + vs.timeoutSeconds() : "");
        Map<RealServer, Double> shares = IpvsScheduling.shares(vs.scheduler(), ipvs.destinationsOf(key));
        if (shares.isEmpty()) {
            // no destination: the scheduler finds none, and ip_vs_leave answers ICMP port unreachable (TCP too)
            done.add(flow.hop(new Hop(where, header, false, "no destination with weight > 0: IPVS answers ICMP port"
                    + " unreachable (connection refused)")).end(Verdict.REJECTED));
            return List.of();
        }
        String caveat = IpvsScheduling.caveat(vs.scheduler());
        List<Flow> out = new ArrayList<>();
        for (Map.Entry<RealServer, Double> s : shares.entrySet()) {
            RealServer rs = s.getKey();
            String note = String.format(Locale.ROOT, "%s to %s, weight %d: share %.4f", "NAT",
                    Addresses.hostPort(rs.address(), rs.port()), rs.weight(), s.getValue())
                    + (caveat != null ? "; " + caveat : "");
            Flow f = flow.scaled(s.getValue()).hop(new Hop(where, header, false, note)).dnat(rs.address(), rs.port());
            if (vs.timeoutSeconds() > 0) {
                f = f.withAffinity("sticky for " + vs.timeoutSeconds() + " s (IPVS persistence): later connections"
                        + " from this source go to the same destination");
            }
            out.add(f);
        }
        return out;
    }
}
