package io.svcproxy.plan.ipvs;

import static io.svcproxy.iptables.RuleSpec.rule;
import static io.svcproxy.plan.KubeChains.FILTER;
import static io.svcproxy.plan.KubeChains.FORWARD;
import static io.svcproxy.plan.KubeChains.IPVS_FILTER;
import static io.svcproxy.plan.KubeChains.IPVS_LOAD_BALANCER;
import static io.svcproxy.plan.KubeChains.IPVS_NODE_PORT;
import static io.svcproxy.plan.KubeChains.IPVS_OUT_FILTER;
import static io.svcproxy.plan.KubeChains.IPVS_SOURCE_RANGES_FIREWALL;
import static io.svcproxy.plan.KubeChains.MARK_MASQ;
import static io.svcproxy.plan.KubeChains.NAT;
import static io.svcproxy.plan.KubeChains.POSTROUTING;
import static io.svcproxy.plan.KubeChains.PROXY_FIREWALL;
import static io.svcproxy.plan.KubeChains.SERVICES;

import io.svcproxy.ipset.Ipset;
import io.svcproxy.ipset.IpsetState;
import io.svcproxy.ipset.KubeIpsets;
import io.svcproxy.iptables.RuleSpec;
import io.svcproxy.iptables.Ruleset;
import io.svcproxy.iptables.Table;
import io.svcproxy.model.Cidr;
import io.svcproxy.model.IpFamily;
import io.svcproxy.model.Protocol;
import io.svcproxy.plan.BuiltinJumps;
import io.svcproxy.plan.FixedRules;
import io.svcproxy.plan.IptablesLocalTraffic;
import io.svcproxy.plan.IptablesPlan;
import io.svcproxy.plan.PlannerOptions;
import io.svcproxy.plan.TableBuilder;

import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The iptables rules of IPVS mode (kube-proxy's writeIptablesRules and createAndLinkKubeChain), in
 * the canonical iptables-save form: the per-service work is in the ipsets, so these rules are few
 * and only change when a set becomes empty or non-empty. The rules kube-proxy writes alike in both
 * modes (postrouting, mark-masq, forwarding accepts, the nat jumps) come from {@link FixedRules}, the
 * chain names from {@link io.svcproxy.plan.KubeChains}.
 */
public final class IpvsGlueRules {
    /** A load-balancer IP:port whose source ranges do not hold the node: node access to it is dropped. */
    public record NoNodeAccess(InetAddress address, Protocol protocol, int port) {
    }

    private IpvsGlueRules() {
    }

    public static IptablesPlan render(IpvsOptions opts, IpsetState sets, List<NoNodeAccess> noNodeAccess) {
        PlannerOptions base = opts.base();
        IpFamily family = base.family();
        FixedRules fixed = new FixedRules(base);

        TableBuilder nat = new TableBuilder().declare(SERVICES, POSTROUTING, IPVS_NODE_PORT, IPVS_LOAD_BALANCER,
                MARK_MASQ);
        TableBuilder filter = new TableBuilder().declare(FORWARD, IPVS_NODE_PORT, PROXY_FIREWALL,
                IPVS_SOURCE_RANGES_FIREWALL, IPVS_FILTER, IPVS_OUT_FILTER);

        nat.add(SERVICES, rule().source(fixed.loopback()).jump("RETURN").build());

        // ipsetWithIptablesChain, in kube-proxy's order; a rule only while its set is non-empty.
        setJump(nat, POSTROUTING, sets, KubeIpsets.LOOP_BACK, family, null, "dst,dst,src", "MASQUERADE");
        setJump(nat, SERVICES, sets, KubeIpsets.LOAD_BALANCER, family, null, "dst,dst", IPVS_LOAD_BALANCER);
        setJump(nat, IPVS_LOAD_BALANCER, sets, KubeIpsets.LOAD_BALANCER_LOCAL, family, null, "dst,dst", "RETURN");
        setJump(nat, IPVS_NODE_PORT, sets, KubeIpsets.NODE_PORT_LOCAL_TCP, family, Protocol.TCP, "dst", "RETURN");
        setJump(nat, IPVS_NODE_PORT, sets, KubeIpsets.NODE_PORT_TCP, family, Protocol.TCP, "dst", MARK_MASQ);
        setJump(nat, IPVS_NODE_PORT, sets, KubeIpsets.NODE_PORT_LOCAL_UDP, family, Protocol.UDP, "dst", "RETURN");
        setJump(nat, IPVS_NODE_PORT, sets, KubeIpsets.NODE_PORT_UDP, family, Protocol.UDP, "dst", MARK_MASQ);
        setJump(nat, IPVS_NODE_PORT, sets, KubeIpsets.NODE_PORT_LOCAL_SCTP, family, Protocol.SCTP, "dst,dst",
                "RETURN");
        setJump(nat, IPVS_NODE_PORT, sets, KubeIpsets.NODE_PORT_SCTP, family, Protocol.SCTP, "dst,dst", MARK_MASQ);
        setJump(filter, PROXY_FIREWALL, sets, KubeIpsets.LOAD_BALANCER_FW, family, null, "dst,dst",
                IPVS_SOURCE_RANGES_FIREWALL);
        setJump(filter, IPVS_SOURCE_RANGES_FIREWALL, sets, KubeIpsets.LOAD_BALANCER_SOURCE_CIDR, family, null,
                "dst,dst,src", "RETURN");
        setJump(filter, IPVS_SOURCE_RANGES_FIREWALL, sets, KubeIpsets.LOAD_BALANCER_SOURCE_IP, family, null,
                "dst,dst,src", "RETURN");

        Ipset clusterIPs = set(sets, KubeIpsets.CLUSTER_IP, family);
        if (!clusterIPs.members().isEmpty()) {
            RuleSpec r = rule().comment(clusterIPs.comment());
            if (base.masqueradeAll()) {
                r.matchSet(clusterIPs.name(), "dst,dst");
            } else if (base.localDetector().implemented()) {
                r.matchSet(clusterIPs.name(), "dst,dst");
                IptablesLocalTraffic.ifNotLocal(base.localDetector(), r);
            } else {
                r.matchSet(clusterIPs.name(), "src,dst");
            }
            nat.add(SERVICES, r.jump(MARK_MASQ).build());
        }

        Ipset external = set(sets, KubeIpsets.EXTERNAL_IP, family);
        if (!external.members().isEmpty()) {
            nat.add(SERVICES, setMatch(external).jump(MARK_MASQ).build());
            externalIPRules(nat, external);
        }
        Ipset externalLocal = set(sets, KubeIpsets.EXTERNAL_IP_LOCAL, family);
        if (!externalLocal.members().isEmpty()) {
            externalIPRules(nat, externalLocal);
        }

        nat.add(SERVICES, rule().addrType("dst", "LOCAL").jump(IPVS_NODE_PORT).build());
        nat.add(IPVS_LOAD_BALANCER, rule().jump(MARK_MASQ).build());
        filter.add(IPVS_SOURCE_RANGES_FIREWALL, rule().jump("DROP").build());

        for (NoNodeAccess n : noNodeAccess) {
            Cidr host = new Cidr(n.address(), family.bits());
            filter.add(IPVS_OUT_FILTER, rule().source(host).ipvs(host, n.protocol(), n.port()).jump("DROP").build());
        }

        // acceptIPVSTraffic: the last rules of KUBE-SERVICES.
        for (KubeIpsets s : List.of(KubeIpsets.CLUSTER_IP, KubeIpsets.LOAD_BALANCER)) {
            Ipset set = set(sets, s, family);
            if (!set.members().isEmpty()) {
                nat.add(SERVICES, rule().matchSet(set.name(), set.type().dstMatch()).jump("ACCEPT").build());
            }
        }

        filter.addAll(FORWARD, fixed.forwardAccepts());

        Ipset healthCheck = set(sets, KubeIpsets.HEALTH_CHECK_NODE_PORT, family);
        filter.add(IPVS_NODE_PORT, setMatch(healthCheck).jump("ACCEPT").build());

        for (KubeIpsets s : List.of(KubeIpsets.LOAD_BALANCER, KubeIpsets.CLUSTER_IP, KubeIpsets.EXTERNAL_IP,
                KubeIpsets.EXTERNAL_IP_LOCAL, KubeIpsets.HEALTH_CHECK_NODE_PORT)) {
            Ipset set = set(sets, s, family);
            filter.add(IPVS_FILTER, rule().matchSet(set.name(), set.type().dstMatch()).jump("RETURN").build());
        }
        Ipset ipvsIPs = set(sets, KubeIpsets.IPVS_IPS, family);
        filter.add(IPVS_FILTER, rule().ctState("NEW", false).matchSet(ipvsIPs.name(), "dst")
                .reject(base.ipv6()).build());

        nat.addAll(POSTROUTING, fixed.postrouting());
        nat.addAll(MARK_MASQ, fixed.markMasq());

        BuiltinJumps jumps = builtinJumps();
        jumps.of(FILTER).forEach(filter::builtin);
        jumps.of(NAT).forEach(nat::builtin);
        Map<String, Table> tables = new LinkedHashMap<>();
        tables.put(FILTER, filter.build(FILTER));
        tables.put(NAT, nat.build(NAT));
        return new IptablesPlan(new Ruleset(family, tables), Map.of(), List.of(), List.of());
    }

    /** kube-proxy's iptablesJumpChain of IPVS mode, in its order of insertion. */
    static BuiltinJumps builtinJumps() {
        BuiltinJumps out = new BuiltinJumps();
        FixedRules.natJumps(out);
        FixedRules.forwardJump(out);
        out.add(FILTER, "INPUT", rule().comment("kubernetes health check rules").jump(IPVS_NODE_PORT));
        out.add(FILTER, "INPUT", rule().comment("kube-proxy firewall rules").jump(PROXY_FIREWALL));
        out.add(FILTER, "FORWARD", rule().comment("kube-proxy firewall rules").jump(PROXY_FIREWALL));
        out.add(FILTER, "INPUT", rule().comment("kubernetes ipvs access filter").jump(IPVS_FILTER));
        out.add(FILTER, "OUTPUT", rule().comment("kubernetes ipvs access filter").jump(IPVS_OUT_FILTER));
        return out;
    }

    private static void externalIPRules(TableBuilder nat, Ipset set) {
        nat.add(SERVICES, setMatch(set).notPhysdevIsIn().notAddrType("src", "LOCAL").jump("ACCEPT").build());
        nat.add(SERVICES, setMatch(set).addrType("dst", "LOCAL").jump("ACCEPT").build());
    }

    private static void setJump(TableBuilder table, String from, IpsetState sets, KubeIpsets which,
                                IpFamily family, Protocol protocol, String flags, String to) {
        Ipset set = set(sets, which, family);
        if (set.members().isEmpty()) {
            return;
        }
        RuleSpec r = rule();
        if (protocol != null) {
            r.protocol(protocol);
        }
        table.add(from, r.comment(set.comment()).matchSet(set.name(), flags).jump(to).build());
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
}
