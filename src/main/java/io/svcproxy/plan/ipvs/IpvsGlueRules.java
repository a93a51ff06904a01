package io.svcproxy.plan.ipvs;

import static io.svcproxy.iptables.RuleSpec.rule;

import io.svcproxy.ipset.Ipset;
import io.svcproxy.ipset.IpsetState;
import io.svcproxy.ipset.KubeIpsets;
import io.svcproxy.iptables.Chain;
import io.svcproxy.iptables.RuleSpec;
import io.svcproxy.iptables.Ruleset;
import io.svcproxy.iptables.Table;
import io.svcproxy.model.Cidr;
import io.svcproxy.model.IpFamily;
import io.svcproxy.model.Protocol;
import io.svcproxy.plan.IptablesPlan;
import io.svcproxy.plan.PlannerOptions;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The iptables rules of IPVS mode (kube-proxy's writeIptablesRules and createAndLinkKubeChain), in
 * the canonical iptables-save form: the per-service work is in the ipsets, so these rules are few
 * and only change when a set becomes empty or non-empty.
 */
public final class IpvsGlueRules {
    public static final String SERVICES = "KUBE-SERVICES";
    public static final String POSTROUTING = "KUBE-POSTROUTING";
    public static final String NODE_PORT = "KUBE-NODE-PORT";
    public static final String LOAD_BALANCER = "KUBE-LOAD-BALANCER";
    public static final String MARK_MASQ = "KUBE-MARK-MASQ";
    public static final String FORWARD = "KUBE-FORWARD";
    public static final String PROXY_FIREWALL = "KUBE-PROXY-FIREWALL";
    public static final String SOURCE_RANGES_FIREWALL = "KUBE-SOURCE-RANGES-FIREWALL";
    public static final String IPVS_FILTER = "KUBE-IPVS-FILTER";
    public static final String IPVS_OUT_FILTER = "KUBE-IPVS-OUT-FILTER";

    /** A load-balancer IP:port whose source ranges do not hold the node: node access to it is dropped. */
    public record NoNodeAccess(InetAddress address, Protocol protocol, int port) {
    }

    private IpvsGlueRules() {
    }

    public static IptablesPlan render(IpvsOptions opts, IpsetState sets, List<NoNodeAccess> noNodeAccess) {
        PlannerOptions base = opts.base();
        IpFamily family = base.family();
        boolean v6 = base.ipv6();
        long mark = base.masqueradeMark();

        Map<String, List<String>> nat = chains(SERVICES, POSTROUTING, NODE_PORT, LOAD_BALANCER, MARK_MASQ);
        Map<String, List<String>> filter = chains(FORWARD, NODE_PORT, PROXY_FIREWALL, SOURCE_RANGES_FIREWALL,
                IPVS_FILTER, IPVS_OUT_FILTER);

        nat.get(SERVICES).add(rule().source(Cidr.parse(v6 ? "::1/128" : "127.0.0.0/8")).jump("RETURN").build());

        // ipsetWithIptablesChain, in kube-proxy's order; a rule only while its set is non-empty.
        setJump(nat, POSTROUTING, sets, KubeIpsets.LOOP_BACK, family, null, "dst,dst,src", "MASQUERADE");
        setJump(nat, SERVICES, sets, KubeIpsets.LOAD_BALANCER, family, null, "dst,dst", LOAD_BALANCER);
        setJump(nat, LOAD_BALANCER, sets, KubeIpsets.LOAD_BALANCER_LOCAL, family, null, "dst,dst", "RETURN");
        setJump(nat, NODE_PORT, sets, KubeIpsets.NODE_PORT_LOCAL_TCP, family, Protocol.TCP, "dst", "RETURN");
        setJump(nat, NODE_PORT, sets, KubeIpsets.NODE_PORT_TCP, family, Protocol.TCP, "dst", MARK_MASQ);
        setJump(nat, NODE_PORT, sets, KubeIpsets.NODE_PORT_LOCAL_UDP, family, Protocol.UDP, "dst", "RETURN");
        setJump(nat, NODE_PORT, sets, KubeIpsets.NODE_PORT_UDP, family, Protocol.UDP, "dst", MARK_MASQ);
        setJump(nat, NODE_PORT, sets, KubeIpsets.NODE_PORT_LOCAL_SCTP, family, Protocol.SCTP, "dst,dst", "RETURN");
        setJump(nat, NODE_PORT, sets, KubeIpsets.NODE_PORT_SCTP, family, Protocol.SCTP, "dst,dst", MARK_MASQ);
        setJump(filter, PROXY_FIREWALL, sets, KubeIpsets.LOAD_BALANCER_FW, family, null, "dst,dst",
                SOURCE_RANGES_FIREWALL);
        setJump(filter, SOURCE_RANGES_FIREWALL, sets, KubeIpsets.LOAD_BALANCER_SOURCE_CIDR, family, null,
                "dst,dst,src", "RETURN");
        setJump(filter, SOURCE_RANGES_FIREWALL, sets, KubeIpsets.LOAD_BALANCER_SOURCE_IP, family, null,
                "dst,dst,src", "RETURN");

        Ipset clusterIPs = set(sets, KubeIpsets.CLUSTER_IP, family);
        if (!clusterIPs.members().isEmpty()) {
            RuleSpec r = rule().comment(clusterIPs.comment());
            if (base.masqueradeAll()) {
                r.matchSet(clusterIPs.name(), "dst,dst");
            } else if (base.localDetector().implemented()) {
                r.matchSet(clusterIPs.name(), "dst,dst");
                base.localDetector().ifNotLocal(r);
            } else {
                r.matchSet(clusterIPs.name(), "src,dst");
            }
            nat.get(SERVICES).add(r.jump(MARK_MASQ).build());
        }

        Ipset external = set(sets, KubeIpsets.EXTERNAL_IP, family);
        if (!external.members().isEmpty()) {
            nat.get(SERVICES).add(setMatch(external).jump(MARK_MASQ).build());
            externalIPRules(nat, external);
        }
        Ipset externalLocal = set(sets, KubeIpsets.EXTERNAL_IP_LOCAL, family);
        if (!externalLocal.members().isEmpty()) {
            externalIPRules(nat, externalLocal);
        }

        nat.get(SERVICES).add(rule().addrType("dst", "LOCAL").jump(NODE_PORT).build());
        nat.get(LOAD_BALANCER).add(rule().jump(MARK_MASQ).build());
        filter.get(SOURCE_RANGES_FIREWALL).add(rule().jump("DROP").build());

        for (NoNodeAccess n : noNodeAccess) {
            Cidr host = new Cidr(n.address(), family.bits());
            filter.get(IPVS_OUT_FILTER).add(rule().source(host).ipvs(host, n.protocol(), n.port()).jump("DROP").build());
        }

        // acceptIPVSTraffic: the last rules of KUBE-SERVICES.
        for (KubeIpsets s : List.of(KubeIpsets.CLUSTER_IP, KubeIpsets.LOAD_BALANCER)) {
            Ipset set = set(sets, s, family);
            if (!set.members().isEmpty()) {
                nat.get(SERVICES).add(rule().matchSet(set.name(), set.type().dstMatch()).jump("ACCEPT").build());
            }
        }

        filter.get(FORWARD).add(rule().comment("kubernetes forwarding rules").mark(mark, mark, false)
                .jump("ACCEPT").build());
        filter.get(FORWARD).add(rule().comment("kubernetes forwarding conntrack rule")
                .ctState("RELATED,ESTABLISHED", false).jump("ACCEPT").build());

        Ipset healthCheck = set(sets, KubeIpsets.HEALTH_CHECK_NODE_PORT, family);
        filter.get(NODE_PORT).add(setMatch(healthCheck).jump("ACCEPT").build());

        for (KubeIpsets s : List.of(KubeIpsets.LOAD_BALANCER, KubeIpsets.CLUSTER_IP, KubeIpsets.EXTERNAL_IP,
                KubeIpsets.EXTERNAL_IP_LOCAL, KubeIpsets.HEALTH_CHECK_NODE_PORT)) {
            Ipset set = set(sets, s, family);
            filter.get(IPVS_FILTER).add(rule().matchSet(set.name(), set.type().dstMatch()).jump("RETURN").build());
        }
        Ipset ipvsIPs = set(sets, KubeIpsets.IPVS_IPS, family);
        filter.get(IPVS_FILTER).add(rule().ctState("NEW", false).matchSet(ipvsIPs.name(), "dst")
                .reject(v6).build());

        nat.get(POSTROUTING).add(rule().mark(mark, mark, true).jump("RETURN").build());
        nat.get(POSTROUTING).add(rule().xorMark(mark).build());
        nat.get(POSTROUTING).add(rule().comment("kubernetes service traffic requiring SNAT")
                .masqueradeRandomFully().build());
        nat.get(MARK_MASQ).add(rule().orMark(mark).build());

        Map<String, Table> tables = new LinkedHashMap<>();
        tables.put("filter", table("filter", filter, builtinJumps("filter")));
        tables.put("nat", table("nat", nat, builtinJumps("nat")));
        return new IptablesPlan(new Ruleset(family, tables), Map.of(), List.of(), List.of());
    }

    /**
     * kube-proxy's iptablesJumpChain: each jump is prepended in turn, so per built-in chain the last
     * one listed ends up first.
     */
    static Map<String, List<String>> builtinJumps(String table) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (table.equals("nat")) {
            jump(out, "OUTPUT", "kubernetes service portals", SERVICES);
            jump(out, "PREROUTING", "kubernetes service portals", SERVICES);
            jump(out, "POSTROUTING", "kubernetes postrouting rules", POSTROUTING);
        } else {
            jump(out, "FORWARD", "kubernetes forwarding rules", FORWARD);
            jump(out, "INPUT", "kubernetes health check rules", NODE_PORT);
            jump(out, "INPUT", "kube-proxy firewall rules", PROXY_FIREWALL);
            jump(out, "FORWARD", "kube-proxy firewall rules", PROXY_FIREWALL);
            jump(out, "INPUT", "kubernetes ipvs access filter", IPVS_FILTER);
            jump(out, "OUTPUT", "kubernetes ipvs access filter", IPVS_OUT_FILTER);
        }
        out.values().forEach(Collections::reverse);
        return out;
    }

    private static void jump(Map<String, List<String>> out, String from, String comment, String to) {
        out.computeIfAbsent(from, c -> new ArrayList<>()).add(rule().comment(comment).jump(to).build());
    }

    private static void externalIPRules(Map<String, List<String>> nat, Ipset set) {
        nat.get(SERVICES).add(setMatch(set).notPhysdevIsIn().notAddrType("src", "LOCAL").jump("ACCEPT").build());
        nat.get(SERVICES).add(setMatch(set).addrType("dst", "LOCAL").jump("ACCEPT").build());
    }

    private static void setJump(Map<String, List<String>> chains, String from, IpsetState sets, KubeIpsets which,
                                IpFamily family, Protocol protocol, String flags, String to) {
        Ipset set = set(sets, which, family);
        if (set.members().isEmpty()) {
            return;
        }
        RuleSpec r = rule();
        if (protocol != null) {
            r.protocol(protocol);
        }
        chains.get(from).add(r.comment(set.comment()).matchSet(set.name(), flags).jump(to).build());
    }

    private static RuleSpec setMatch(Ipset set) {
        return rule().comment(set.comment()).matchSet(set.name(), set.type().dstMatch());
    }

    private static Ipset set(IpsetState sets, KubeIpsets which, IpFamily family) {
        Ipset set = sets.get(which.setName(family));
        if (set == null) {
            throw new IllegalArgumentException("ipset " + which.setName(family) + " missing from the plan");
        }
        return set;
    }

    private static Map<String, List<String>> chains(String... names) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (String n : names) {
            out.put(n, new ArrayList<>());
        }
        return out;
    }

    private static Table table(String name, Map<String, List<String>> chains, Map<String, List<String>> builtins) {
        Map<String, Chain> out = new LinkedHashMap<>();
        builtins.forEach((c, rules) -> out.put(c, new Chain(c, "ACCEPT", rules)));
        chains.forEach((c, rules) -> out.put(c, Chain.user(c, rules)));
        return new Table(name, out);
    }
}
