package io.svcproxy.plan.nftables;

import static io.svcproxy.plan.nftables.NftNames.*;
import static io.svcproxy.plan.nftables.NftRules.jump;
import static io.svcproxy.plan.nftables.NftRules.one;
import static io.svcproxy.plan.nftables.NftRules.seq;

import io.svcproxy.model.Addresses;
import io.svcproxy.model.Cidr;
import io.svcproxy.model.IpFamily;
import io.svcproxy.nftables.NftChain.Base;
import io.svcproxy.nftables.NftChain;
import io.svcproxy.nftables.NftElement;
import io.svcproxy.nftables.NftExpr;
import io.svcproxy.nftables.NftKeyType;
import io.svcproxy.nftables.NftRule;
import io.svcproxy.nftables.NftSet;
import io.svcproxy.nftables.NftType;
import io.svcproxy.nftables.NftVerdict;
import io.svcproxy.plan.PlannerOptions;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The table's fixed part, in the order kube-proxy creates it: the shared sets and maps (empty here;
 * services fill them), the base chains with their hooks and priorities, and the dispatch chains.
 */
final class NftFixedObjects {
    static final int PRIORITY_DSTNAT = -100;
    static final int PRIORITY_FILTER = 0;
    static final int PRIORITY_SRCNAT = 100;

    private final NftablesOptions opts;
    private final IpFamily family;
    private final PlannerOptions base;

    NftFixedObjects(NftablesOptions opts) {
        this.opts = opts;
        this.family = opts.family();
        this.base = opts.base();
    }

    /** NodePorts are limited to the nodeport-ips set, else open on every local address but loopback. */
    boolean nodePortIPsLimited() {
        return !base.nodePortsMatchAll();
    }

    /** The shared sets and maps, without service elements (nodeport-ips is not a service's). */
    Map<String, NftSet> sets() {
        NftType addr = NftValues.addrType(family);
        NftKeyType addrProtoPort = NftKeyType.of(addr, NftType.INET_PROTO, NftType.INET_SERVICE);
        NftKeyType protoPort = NftKeyType.of(NftType.INET_PROTO, NftType.INET_SERVICE);
        NftKeyType verdict = NftKeyType.of(NftType.VERDICT);
        Map<String, NftSet> sets = new LinkedHashMap<>();
        put(sets, set(HAIRPIN_CONNECTIONS, NftKeyType.of(addr, addr, NftType.INET_PROTO, NftType.INET_SERVICE), null,
                "service hairpin connections", List.of()));
        put(sets, set(CLUSTER_IPS, NftKeyType.of(addr), null, "Active ClusterIPs", List.of()));
        if (nodePortIPsLimited()) {
            List<NftElement> ips = opts.nodePortIPs().stream().map(ip -> NftElement.key(NftValues.addr(ip))).toList();
            put(sets, set(NODEPORT_IPS, NftKeyType.of(addr), null, "IPs that accept NodePort traffic", ips));
        }
        put(sets, set(NO_ENDPOINT_SERVICES, addrProtoPort, verdict,
                "vmap to drop or reject packets to services with no endpoints", List.of()));
        put(sets, set(NO_ENDPOINT_NODEPORTS, protoPort, verdict,
                "vmap to drop or reject packets to service nodeports with no endpoints", List.of()));
        put(sets, set(FIREWALL_IPS, addrProtoPort, verdict,
                "destinations that are subject to LoadBalancerSourceRanges", List.of()));
        put(sets, set(SERVICE_IPS, addrProtoPort, verdict, "ClusterIP, ExternalIP and LoadBalancer IP traffic",
                List.of()));
        put(sets, set(SERVICE_NODEPORTS, protoPort, verdict, "NodePort traffic", List.of()));
        return sets;
    }

    private static void put(Map<String, NftSet> sets, NftSet s) {
        sets.put(s.name(), s);
    }

    private static NftSet set(String name, NftKeyType key, NftKeyType data, String comment, List<NftElement> els) {
        return new NftSet(name, key, data, data == null ? 0 : NftSet.F_MAP, 0, 0, comment, els);
    }

    Map<String, NftChain> chains() {
        Map<String, NftChain> chains = new LinkedHashMap<>();
        List<NftExpr> ctNew = NftRules.ctStateNew();
        baseChain(chains, FILTER_PREROUTING_PRE_DNAT, "filter", NftChain.PREROUTING, PRIORITY_DSTNAT - 10,
                rule(seq(ctNew, one(jump(FIREWALL_CHECK)))));
        baseChain(chains, FILTER_OUTPUT_PRE_DNAT, "filter", NftChain.OUTPUT, PRIORITY_DSTNAT - 10,
                rule(seq(ctNew, one(jump(FIREWALL_CHECK)))));
        baseChain(chains, FILTER_INPUT, "filter", NftChain.INPUT, PRIORITY_FILTER,
                rule(seq(ctNew, one(jump(NODEPORT_ENDPOINTS_CHECK)))),
                rule(seq(ctNew, one(jump(SERVICE_ENDPOINTS_CHECK)))));
        baseChain(chains, FILTER_FORWARD, "filter", NftChain.FORWARD, PRIORITY_FILTER,
                rule(seq(ctNew, one(jump(SERVICE_ENDPOINTS_CHECK)))),
                rule(seq(ctNew, one(jump(CLUSTER_IPS_CHECK)))));
        baseChain(chains, FILTER_OUTPUT, "filter", NftChain.OUTPUT, PRIORITY_FILTER,
                rule(seq(ctNew, one(jump(SERVICE_ENDPOINTS_CHECK)))),
                rule(seq(ctNew, one(jump(CLUSTER_IPS_CHECK)))));
        baseChain(chains, NAT_PREROUTING, "nat", NftChain.PREROUTING, PRIORITY_DSTNAT, rule(one(jump(SERVICES))));
        baseChain(chains, NAT_OUTPUT, "nat", NftChain.OUTPUT, PRIORITY_DSTNAT, rule(one(jump(SERVICES))));
        baseChain(chains, NAT_POSTROUTING, "nat", NftChain.POSTROUTING, PRIORITY_SRCNAT,
                rule(one(jump(MASQUERADING))));

        regular(chains, NODEPORT_ENDPOINTS_CHECK, List.of(rule(seq(nodePortDestination(false),
                NftRules.protoPortVmap(NO_ENDPOINT_NODEPORTS)))));
        regular(chains, SERVICE_ENDPOINTS_CHECK,
                List.of(rule(NftRules.daddrProtoPortVmap(family, NO_ENDPOINT_SERVICES))));
        regular(chains, FIREWALL_CHECK, List.of(rule(NftRules.daddrProtoPortVmap(family, FIREWALL_IPS))));
        regular(chains, SERVICES, servicesRules());
        regular(chains, MASQUERADING, List.of(
                rule(seq(NftRules.markSet(base.masqueradeMark()), NftRules.flipMarkBits(base.masqueradeMark()),
                        one(NftRules.masqueradeFullyRandom()))),
                rule(seq(NftRules.ctStatusDnat(), NftRules.hairpinLookup(family, HAIRPIN_CONNECTIONS),
                        one(NftRules.masqueradeFullyRandom())))));
        regular(chains, CLUSTER_IPS_CHECK, clusterIPsCheckRules());
        chains.put(REJECT_CHAIN, new NftChain(REJECT_CHAIN, null, "helper for @no-endpoint-services / @no-endpoint-nodeports",
                List.of(rule(one(NftRules.reject(family))))));
        return chains;
    }

    private List<NftRule> servicesRules() {
        List<NftRule> rules = new ArrayList<>();
        long mark = base.masqueradeMark();
        if (base.masqueradeAll()) {
            rules.add(new NftRule(seq(NftRules.addrInSet(family, false, CLUSTER_IPS), NftRules.setMarkBits(mark)),
                    "masquerade all clusterIP traffic"));
        } else if (base.localDetector().implemented()) {
            rules.add(new NftRule(seq(NftRules.addrInSet(family, false, CLUSTER_IPS),
                    NftLocalTraffic.match(family, base.localDetector(), true), NftRules.setMarkBits(mark)),
                    "masquerade clusterIP traffic from outside cluster"));
        }
        rules.add(rule(NftRules.daddrProtoPortVmap(family, SERVICE_IPS)));
        rules.add(rule(seq(nodePortDestination(true), NftRules.protoPortVmap(SERVICE_NODEPORTS))));
        return rules;
    }

    /**
     * Which destinations are NodePort destinations: {@code ip daddr @nodeport-ips} when limited, else
     * any local address but loopback ({@code fib daddr type local} is implied on the input hook).
     */
    private List<NftExpr> nodePortDestination(boolean needFib) {
        if (nodePortIPsLimited()) {
            return NftRules.addrInSet(family, false, NODEPORT_IPS);
        }
        Cidr loopback = family == IpFamily.V4 ? Cidr.parse("127.0.0.0/8")
                : new Cidr(Addresses.parseIp("::1"), 128);
        List<NftExpr> notLoopback = NftRules.addrMatch(family, false, loopback, true);
        return needFib ? seq(NftRules.fibTypeLocal(false), notLoopback) : notLoopback;
    }

    private List<NftRule> clusterIPsCheckRules() {
        List<NftRule> rules = new ArrayList<>();
        rules.add(new NftRule(seq(NftRules.addrInSet(family, false, CLUSTER_IPS), one(NftRules.reject(family))),
                "Reject traffic to invalid ports of ClusterIPs"));
        List<Cidr> cidrs = opts.serviceCidrs();
        if (!cidrs.isEmpty()) {
            List<NftExpr> match = cidrs.size() == 1 ? NftRules.addrMatch(family, false, cidrs.get(0), false)
                    : List.of(NftRules.daddr(family, NftExpr.REG_1), new NftExpr.Lookup(
                            new NftExpr.Anonymous(NftValues.cidrIntervals(family, cidrs)), NftExpr.REG_1,
                            NftExpr.Lookup.NO_DREG, 0));
            rules.add(new NftRule(seq(match, one(NftRules.verdict(NftVerdict.DROP))),
                    "Drop traffic to unallocated ClusterIPs"));
        }
        return rules;
    }

    private static NftRule rule(List<NftExpr> exprs) {
        return NftRule.of(exprs);
    }

    private static void baseChain(Map<String, NftChain> chains, String name, String type, int hook, int priority,
                                  NftRule... rules) {
        chains.put(name, new NftChain(name, new Base(type, hook, priority, NftVerdict.ACCEPT), null, List.of(rules)));
    }

    private static void regular(Map<String, NftChain> chains, String name, List<NftRule> rules) {
        chains.put(name, NftChain.regular(name, rules));
    }
}
