package io.svcproxy.plan;

import static io.svcproxy.iptables.RuleSpec.rule;
import static io.svcproxy.plan.KubeChains.EXTERNAL_SERVICES;
import static io.svcproxy.plan.KubeChains.FORWARD;
import static io.svcproxy.plan.KubeChains.KUBELET_FIREWALL;
import static io.svcproxy.plan.KubeChains.NODEPORTS;
import static io.svcproxy.plan.KubeChains.POSTROUTING;
import static io.svcproxy.plan.KubeChains.PROXY_FIREWALL;
import static io.svcproxy.plan.KubeChains.SERVICES;

import io.svcproxy.iptables.RuleSpec;
import io.svcproxy.model.Cidr;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The rules that do not depend on any service: masquerading, forwarding, jumps from built-in chains. */
final class FixedRules {
    private final PlannerOptions opts;

    FixedRules(PlannerOptions opts) {
        this.opts = opts;
    }

    /** KUBE-POSTROUTING: SNAT what KUBE-MARK-MASQ marked, clearing the mark so it happens once. */
    List<String> postrouting() {
        long mark = opts.masqueradeMark();
        return List.of(
                rule().mark(mark, mark, true).jump("RETURN").build(),
                rule().xorMark(mark).build(),
                rule().comment("kubernetes service traffic requiring SNAT").masqueradeRandomFully().build());
    }

    List<String> markMasq() {
        return List.of(rule().orMark(opts.masqueradeMark()).build());
    }

    /** KUBE-FORWARD: drop INVALID (unless conntrack is liberal), accept marked and established traffic. */
    List<String> forward() {
        List<String> rules = new ArrayList<>();
        long mark = opts.masqueradeMark();
        if (!opts.conntrackTcpBeLiberal()) {
            RuleSpec r = rule().ctState("INVALID", false);
            if (opts.nfacctCounters()) {
                r.nfacct(KubeChains.NFACCT_INVALID_DROPPED);
            }
            rules.add(r.jump("DROP").build());
        }
        rules.add(rule().comment("kubernetes forwarding rules").mark(mark, mark, false).jump("ACCEPT").build());
        rules.add(rule().comment("kubernetes forwarding conntrack rule").ctState("RELATED,ESTABLISHED", false)
                .jump("ACCEPT").build());
        return rules;
    }

    /** KUBE-FIREWALL's guard against martian packets to 127/8, which route_localnet would otherwise let in. */
    List<String> localnetGuard() {
        Cidr loopback = Cidr.parse("127.0.0.0/8");
        return List.of(rule().notSource(loopback).destination(loopback)
                .comment("block incoming localnet connections").ctState("RELATED,ESTABLISHED,DNAT", true)
                .jump("DROP").build());
    }

    /** The last rule of nat KUBE-SERVICES: everything addressed to this node may be a NodePort. */
    List<String> nodePortsTail() {
        String comment = "kubernetes service nodeports; NOTE: this must be the last rule in this chain";
        List<String> rules = new ArrayList<>();
        if (opts.nodePortsMatchAll()) {
            RuleSpec r = rule();
            if (opts.ipv6()) {
                r.notDestination(Cidr.parse("::1/128"));
            } else if (!opts.localhostNodePortsActive()) {
                r.notDestination(Cidr.parse("127.0.0.0/8"));
            }
            rules.add(r.comment(comment).addrType("dst", "LOCAL").jump(NODEPORTS).build());
            return rules;
        }
        for (InetAddress ip : opts.nodePortIPs()) {
            if (opts.nodePortAddresses().stream().noneMatch(c -> c.contains(ip))) {
                continue;
            }
            if (ip.isLoopbackAddress() && (opts.ipv6() || !opts.localhostNodePortsActive())) {
                continue;
            }
            rules.add(rule().destination(new Cidr(ip, opts.family().bits())).comment(comment).jump(NODEPORTS).build());
        }
        return rules;
    }

    /**
     * Jumps from built-in chains, per table and chain, in the order they end up at the top of the
     * chain (kube-proxy prepends each in turn, so the last one listed comes first).
     */
    Map<String, Map<String, List<String>>> jumps(boolean kubeletFirewall) {
        Map<String, Map<String, List<String>>> out = new LinkedHashMap<>();
        // Listed in kube-proxy's order of insertion; reversed per chain at the end.
        String ext = "kubernetes externally-visible service portals";
        String portals = "kubernetes service portals";
        String lbFirewall = "kubernetes load balancer firewall";
        add(out, "filter", "INPUT", rule().ctState("NEW", false).comment(ext).jump(EXTERNAL_SERVICES));
        add(out, "filter", "FORWARD", rule().ctState("NEW", false).comment(ext).jump(EXTERNAL_SERVICES));
        add(out, "filter", "INPUT", rule().comment("kubernetes health check service ports").jump(NODEPORTS));
        add(out, "filter", "FORWARD", rule().ctState("NEW", false).comment(portals).jump(SERVICES));
        add(out, "filter", "OUTPUT", rule().ctState("NEW", false).comment(portals).jump(SERVICES));
        add(out, "filter", "FORWARD", rule().comment("kubernetes forwarding rules").jump(FORWARD));
        add(out, "filter", "INPUT", rule().ctState("NEW", false).comment(lbFirewall).jump(PROXY_FIREWALL));
        add(out, "filter", "OUTPUT", rule().ctState("NEW", false).comment(lbFirewall).jump(PROXY_FIREWALL));
        add(out, "filter", "FORWARD", rule().ctState("NEW", false).comment(lbFirewall).jump(PROXY_FIREWALL));
        add(out, "nat", "OUTPUT", rule().comment(portals).jump(SERVICES));
        add(out, "nat", "PREROUTING", rule().comment(portals).jump(SERVICES));
        add(out, "nat", "POSTROUTING", rule().comment("kubernetes postrouting rules").jump(POSTROUTING));
        if (kubeletFirewall) {
            add(out, "filter", "INPUT", rule().jump(KUBELET_FIREWALL));
            add(out, "filter", "OUTPUT", rule().jump(KUBELET_FIREWALL));
        }
        out.values().forEach(chains -> chains.replaceAll((chain, rules) -> reversed(rules)));
        return out;
    }

    private static void add(Map<String, Map<String, List<String>>> out, String table, String chain, RuleSpec r) {
        out.computeIfAbsent(table, t -> new LinkedHashMap<>()).computeIfAbsent(chain, c -> new ArrayList<>())
                .add(r.build());
    }

    private static List<String> reversed(List<String> in) {
        List<String> copy = new ArrayList<>(in);
        java.util.Collections.reverse(copy);
        return copy;
    }
}
