package io.svcproxy.plan;

import static io.svcproxy.iptables.RuleSpec.rule;
import static io.svcproxy.plan.KubeChains.EXTERNAL_SERVICES;
import static io.svcproxy.plan.KubeChains.FILTER;
import static io.svcproxy.plan.KubeChains.FORWARD;
import static io.svcproxy.plan.KubeChains.KUBELET_FIREWALL;
import static io.svcproxy.plan.KubeChains.NAT;
import static io.svcproxy.plan.KubeChains.NODEPORTS;
import static io.svcproxy.plan.KubeChains.POSTROUTING;
import static io.svcproxy.plan.KubeChains.PROXY_FIREWALL;
import static io.svcproxy.plan.KubeChains.SERVICES;

import io.svcproxy.iptables.RuleSpec;
import io.svcproxy.model.Cidr;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The rules that do not depend on any service: masquerading, forwarding, jumps from built-in chains.
 * IPVS mode's glue shares the pieces kube-proxy's IPVS proxier writes the same way (postrouting,
 * mark-masq, forwarding accepts, the nat jumps).
 */
public final class FixedRules {
    private final PlannerOptions opts;

    public FixedRules(PlannerOptions opts) {
        this.opts = opts;
    }

    /** KUBE-POSTROUTING: SNAT what KUBE-MARK-MASQ marked, clearing the mark so it happens once. */
    public List<String> postrouting() {
        long mark = opts.masqueradeMark();
        return List.of(
                rule().mark(mark, mark, true).jump("RETURN").build(),
                rule().xorMark(mark).build(),
                rule().comment("kubernetes service traffic requiring SNAT").masqueradeRandomFully().build());
    }

    public List<String> markMasq() {
        return List.of(rule().orMark(opts.masqueradeMark()).build());
    }

    /** KUBE-FORWARD: drop INVALID (unless conntrack is liberal), accept marked and established traffic. */
    List<String> forward() {
        List<String> rules = new ArrayList<>();
        if (!opts.conntrackTcpBeLiberal()) {
            RuleSpec r = rule().ctState("INVALID", false);
            if (opts.nfacctCounters()) {
                r.nfacct(KubeChains.NFACCT_INVALID_DROPPED);
            }
            rules.add(r.jump("DROP").build());
        }
        rules.addAll(forwardAccepts());
        return rules;
    }

    /** KUBE-FORWARD's accepts of marked and established traffic (all of it in IPVS mode, which drops no INVALID). */
    public List<String> forwardAccepts() {
        long mark = opts.masqueradeMark();
        return List.of(
                rule().comment("kubernetes forwarding rules").mark(mark, mark, false).jump("ACCEPT").build(),
                rule().comment("kubernetes forwarding conntrack rule").ctState("RELATED,ESTABLISHED", false)
                        .jump("ACCEPT").build());
    }

    /** 127.0.0.0/8 or ::1/128. */
    public Cidr loopback() {
        return Cidr.parse(opts.ipv6() ? "::1/128" : "127.0.0.0/8");
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
            if (opts.ipv6() || !opts.localhostNodePortsActive()) {
                r.notDestination(loopback());
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

    /** Jumps from built-in chains, in kube-proxy's order of insertion (KUBE-FIREWALL's in every family). */
    BuiltinJumps jumps() {
        BuiltinJumps out = new BuiltinJumps();
        String ext = "kubernetes externally-visible service portals";
        String portals = "kubernetes service portals";
        String lbFirewall = "kubernetes load balancer firewall";
        out.add(FILTER, "INPUT", rule().ctState("NEW", false).comment(ext).jump(EXTERNAL_SERVICES));
        out.add(FILTER, "FORWARD", rule().ctState("NEW", false).comment(ext).jump(EXTERNAL_SERVICES));
        out.add(FILTER, "INPUT", rule().comment("kubernetes health check service ports").jump(NODEPORTS));
        out.add(FILTER, "FORWARD", rule().ctState("NEW", false).comment(portals).jump(SERVICES));
        out.add(FILTER, "OUTPUT", rule().ctState("NEW", false).comment(portals).jump(SERVICES));
        forwardJump(out);
        out.add(FILTER, "INPUT", rule().ctState("NEW", false).comment(lbFirewall).jump(PROXY_FIREWALL));
        out.add(FILTER, "OUTPUT", rule().ctState("NEW", false).comment(lbFirewall).jump(PROXY_FIREWALL));
        out.add(FILTER, "FORWARD", rule().ctState("NEW", false).comment(lbFirewall).jump(PROXY_FIREWALL));
        natJumps(out);
        out.add(FILTER, "INPUT", rule().jump(KUBELET_FIREWALL));
        out.add(FILTER, "OUTPUT", rule().jump(KUBELET_FIREWALL));
        return out;
    }

    /** filter FORWARD -> KUBE-FORWARD. */
    public static void forwardJump(BuiltinJumps out) {
        out.add(FILTER, "FORWARD", rule().comment("kubernetes forwarding rules").jump(FORWARD));
    }

    /** nat OUTPUT and PREROUTING -> KUBE-SERVICES, POSTROUTING -> KUBE-POSTROUTING (both modes alike). */
    public static void natJumps(BuiltinJumps out) {
        String portals = "kubernetes service portals";
        out.add(NAT, "OUTPUT", rule().comment(portals).jump(SERVICES));
        out.add(NAT, "PREROUTING", rule().comment(portals).jump(SERVICES));
        out.add(NAT, "POSTROUTING", rule().comment("kubernetes postrouting rules").jump(POSTROUTING));
    }
}
