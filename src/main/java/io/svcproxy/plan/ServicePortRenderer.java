package io.svcproxy.plan;

import static io.svcproxy.iptables.RuleSpec.rule;
import static io.svcproxy.plan.KubeChains.EXTERNAL_SERVICES;
import static io.svcproxy.plan.KubeChains.MARK_MASQ;
import static io.svcproxy.plan.KubeChains.NODEPORTS;
import static io.svcproxy.plan.KubeChains.PROXY_FIREWALL;
import static io.svcproxy.plan.KubeChains.SERVICES;

import io.svcproxy.iptables.RuleSpec;
import io.svcproxy.iptables.StatisticProbability;
import io.svcproxy.model.Cidr;
import io.svcproxy.model.Endpoint;
import io.svcproxy.model.IpFamily;
import io.svcproxy.model.ServicePort;
import io.svcproxy.model.ServicePortName;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders the rules of one service port for one family, following kube-proxy's iptables mode rule
 * for rule: capture rules in the shared chains (cluster IP, external IPs, load-balancer IPs,
 * NodePort, health-check port), REJECT/DROP rules when there are no (local) endpoints, and the
 * service's own nat chains (EXT -> FW -> SVC/SVL -> SEP).
 */
final class ServicePortRenderer {
    private final PlannerOptions opts;
    private final boolean largeCluster;

    ServicePortRenderer(PlannerOptions opts, boolean largeCluster) {
        this.opts = opts;
        this.largeCluster = largeCluster;
    }

    /** Returns null when the service port has no cluster IP of this family. */
    ServiceRules render(ServicePort svc, List<Endpoint> allEndpoints) {
        ServicePortIntent intent = ServicePortIntent.of(svc, allEndpoints, opts);
        if (intent == null) {
            return null;
        }
        InetAddress clusterIP = intent.clusterIP();
        Builder b = new Builder(svc);
        ServicePortName name = svc.name();
        String svcName = name.toString();

        String clusterChain = ChainNames.clusterPolicy(name);
        String localChain = ChainNames.localPolicy(name);
        boolean usesClusterChain = intent.usesClusterEndpoints();
        boolean usesLocalChain = intent.usesLocalEndpoints();
        boolean hasEndpoints = intent.hasEndpoints();

        String internalChain = svc.internalPolicyLocal() ? localChain : clusterChain;
        boolean hasInternalEndpoints = intent.hasInternalEndpoints();
        String externalPolicyChain = svc.externalPolicyLocal() ? localChain : clusterChain;
        boolean hasExternalEndpoints = intent.hasExternalEndpoints();
        String externalChain = ChainNames.external(name);
        boolean usesExternalChain = intent.usesExternalChain();

        List<InetAddress> lbIPs = intent.loadBalancerIPs();
        List<Cidr> sourceRanges = intent.sourceRanges();
        String fwChain = ChainNames.firewall(name);
        // iptables mode builds the firewall chain only when there is somewhere to send accepted traffic.
        boolean usesFwChain = hasEndpoints && intent.sourceRangesApply();
        String lbChain = usesFwChain ? fwChain : externalChain;

        // What packets meet when there is nothing to send them to.
        String internalFilterComment = null;
        String externalFilterComment = null;
        boolean externalReject = false;
        boolean internalReject = false;
        if (!hasEndpoints) {
            internalFilterComment = svcName + " has no endpoints";
            externalFilterComment = internalFilterComment;
            internalReject = true;
            externalReject = true;
        } else {
            if (!hasInternalEndpoints) {
                internalFilterComment = svcName + " has no local endpoints";
            }
            if (!hasExternalEndpoints) {
                externalFilterComment = svcName + " has no local endpoints";
            }
        }

        // Cluster IP.
        Cidr cip = host(clusterIP);
        if (hasInternalEndpoints) {
            b.nat(SERVICES, capture(svc, cip, svcName + " cluster IP").jump(internalChain));
        } else {
            b.filter(SERVICES, filterTarget(capture(svc, cip, internalFilterComment), internalReject));
        }

        // External IPs.
        for (InetAddress ip : intent.externalIPs()) {
            if (hasEndpoints) {
                b.nat(SERVICES, capture(svc, host(ip), svcName + " external IP").jump(externalChain));
            }
            if (!hasExternalEndpoints) {
                b.filter(EXTERNAL_SERVICES,
                        filterTarget(capture(svc, host(ip), externalFilterComment), externalReject));
            }
        }

        // Load-balancer IPs.
        for (InetAddress ip : lbIPs) {
            if (hasEndpoints) {
                b.nat(SERVICES, capture(svc, host(ip), svcName + " loadbalancer IP").jump(lbChain));
            }
            if (usesFwChain) {
                b.filter(PROXY_FIREWALL, capture(svc, host(ip),
                        svcName + " traffic not accepted by " + fwChain).jump("DROP"));
            }
        }
        if (!hasExternalEndpoints) {
            for (InetAddress ip : lbIPs) {
                b.filter(EXTERNAL_SERVICES,
                        filterTarget(capture(svc, host(ip), externalFilterComment), externalReject));
            }
        }

        // NodePort.
        if (svc.nodePort() != 0) {
            if (hasEndpoints) {
                if (opts.localhostNodePortsActive() && opts.nfacctCounters()) {
                    b.nat(NODEPORTS, rule().destination(Cidr.parse("127.0.0.0/8")).protocol(svc.protocol())
                            .comment(svcName).destinationPort(svc.protocol(), svc.nodePort())
                            .nfacct(KubeChains.NFACCT_LOCALHOST_NODEPORTS).jump(externalChain));
                }
                b.nat(NODEPORTS, rule().protocol(svc.protocol()).comment(svcName)
                        .destinationPort(svc.protocol(), svc.nodePort()).jump(externalChain));
            }
            if (!hasExternalEndpoints) {
                b.filter(EXTERNAL_SERVICES, filterTarget(rule().protocol(svc.protocol()).comment(externalFilterComment)
                        .addrType("dst", "LOCAL").destinationPort(svc.protocol(), svc.nodePort()), externalReject));
            }
        }

        // Health-check NodePort: always open, whatever the endpoints.
        if (svc.healthCheckNodePort() != 0) {
            b.filter(NODEPORTS, rule().protocol(io.svcproxy.model.Protocol.TCP)
                    .comment(svcName + " health check node port")
                    .destinationPort(io.svcproxy.model.Protocol.TCP, svc.healthCheckNodePort()).jump("ACCEPT"));
        }

        // Masquerade off-cluster traffic to the cluster IP (it may bounce off-node).
        List<String> internalMasq = new ArrayList<>();
        if (hasInternalEndpoints) {
            RuleSpec r = capture(svc, cip, svcName + " cluster IP");
            if (opts.masqueradeAll()) {
                internalMasq.add(r.jump(MARK_MASQ).build());
            } else if (opts.localDetector().implemented()) {
                internalMasq.add(IptablesLocalTraffic.ifNotLocal(opts.localDetector(), r).jump(MARK_MASQ).build());
            }
        }

        if (usesExternalChain) {
            b.chain(externalChain, externalChainRules(svc, svcName, clusterChain, externalPolicyChain,
                    hasExternalEndpoints));
        }
        if (usesFwChain) {
            b.chain(fwChain, firewallChainRules(svcName, sourceRanges, lbIPs, externalChain));
        }
        if (usesClusterChain) {
            List<String> rules = new ArrayList<>(internalChain.equals(clusterChain) ? internalMasq : List.of());
            rules.addAll(endpointJumps(svc, svcName, intent.clusterEndpoints()));
            b.chain(clusterChain, rules);
        }
        if (usesLocalChain) {
            List<String> rules = new ArrayList<>(internalChain.equals(localChain) ? internalMasq : List.of());
            rules.addAll(endpointJumps(svc, svcName, intent.localEndpoints()));
            b.chain(localChain, rules);
        }
        for (Endpoint ep : intent.reachableEndpoints()) {
            b.chain(ChainNames.endpoint(name, ep), endpointChainRules(svc, svcName, ep));
        }
        return b.build(intent.reachableEndpoints().size(),
                hasEndpoints && !hasInternalEndpoints,
                hasEndpoints && !hasExternalEndpoints);
    }

    private List<String> externalChainRules(ServicePort svc, String svcName, String clusterChain,
                                            String externalPolicyChain, boolean hasExternalEndpoints) {
        List<String> rules = new ArrayList<>();
        if (!svc.externalPolicyLocal()) {
            rules.add(rule().comment("masquerade traffic for " + svcName + " external destinations")
                    .jump(MARK_MASQ).build());
        } else {
            // Pods and the node itself reach external IPs as if from outside, but must not be
            // subject to the Local policy: short-circuit them to the Cluster chain.
            if (opts.localDetector().implemented()) {
                rules.add(IptablesLocalTraffic.ifLocal(opts.localDetector(), rule())
                        .comment("pod traffic for " + svcName + " external destinations").jump(clusterChain).build());
            }
            rules.add(rule().comment("masquerade LOCAL traffic for " + svcName + " external destinations")
                    .addrType("src", "LOCAL").jump(MARK_MASQ).build());
            rules.add(rule().comment("route LOCAL traffic for " + svcName + " external destinations")
                    .addrType("src", "LOCAL").jump(clusterChain).build());
        }
        if (hasExternalEndpoints) {
            rules.add(rule().jump(externalPolicyChain).build());
        }
        return rules;
    }

    private List<String> firewallChainRules(String svcName, List<Cidr> sourceRanges, List<InetAddress> lbIPs,
                                            String externalChain) {
        List<String> rules = new ArrayList<>();
        String comment = svcName + " loadbalancer IP";
        boolean allowFromNode = false;
        for (Cidr range : sourceRanges) {
            rules.add(rule().source(range).comment(comment).jump(externalChain).build());
            allowFromNode |= opts.nodeIP() != null && range.contains(opts.nodeIP());
        }
        // A VIP that is also a local address loops back with the VIP as source: let it in.
        if (allowFromNode) {
            for (InetAddress ip : lbIPs) {
                rules.add(rule().source(host(ip)).comment(comment).jump(externalChain).build());
            }
        }
        rules.add(rule().comment("other traffic to " + svcName + " will be dropped by KUBE-PROXY-FIREWALL").build());
        return rules;
    }

    private List<String> endpointJumps(ServicePort svc, String svcName, List<Endpoint> endpoints) {
        List<String> rules = new ArrayList<>();
        ServicePortName name = svc.name();
        if (svc.sessionAffinity()) {
            for (Endpoint ep : endpoints) {
                String sep = ChainNames.endpoint(name, ep);
                rules.add(withComment(rule(), svcName + " -> " + ep)
                        .recentCheck(sep, svc.affinityTimeoutSeconds(), opts.ipv6()).jump(sep).build());
            }
        }
        int n = endpoints.size();
        for (int i = 0; i < n; i++) {
            Endpoint ep = endpoints.get(i);
            RuleSpec r = withComment(rule(), svcName + " -> " + ep);
            if (i < n - 1) {
                r.statisticRandom(StatisticProbability.savedText(n - i));
            }
            rules.add(r.jump(ChainNames.endpoint(name, ep)).build());
        }
        return rules;
    }

    private List<String> endpointChainRules(ServicePort svc, String svcName, Endpoint ep) {
        String sep = ChainNames.endpoint(svc.name(), ep);
        // Hairpin: a pod reaching itself through the service must be masqueraded.
        String hairpin = withComment(rule().source(host(ep.ip())), svcName).jump(MARK_MASQ).build();
        RuleSpec dnat = withComment(rule().protocol(svc.protocol()), svcName);
        if (svc.sessionAffinity()) {
            dnat.recentSet(sep, opts.ipv6());
        }
        dnat.protocolMatch(svc.protocol()).dnat(ep.toString());
        return List.of(hairpin, dnat.build());
    }

    /** Per-endpoint comments are dropped in large clusters, as kube-proxy does. */
    private RuleSpec withComment(RuleSpec r, String comment) {
        return largeCluster ? r : r.comment(comment);
    }

    /** "-d VIP -p proto -m comment ... -m proto --dport P": how every service address is matched. */
    private static RuleSpec capture(ServicePort svc, Cidr destination, String comment) {
        return rule().destination(destination).protocol(svc.protocol()).comment(comment)
                .destinationPort(svc.protocol(), svc.port());
    }

    private RuleSpec filterTarget(RuleSpec r, boolean reject) {
        return reject ? r.reject(opts.ipv6()) : r.jump("DROP");
    }

    private static Cidr host(InetAddress ip) {
        return new Cidr(ip, IpFamily.of(ip).bits());
    }

    /** Collects one service's rules; keeps the "which chain gets what" bookkeeping out of render(). */
    private static final class Builder {
        private final ServicePort svc;
        private final Map<String, List<String>> filterShared = new LinkedHashMap<>();
        private final Map<String, List<String>> natShared = new LinkedHashMap<>();
        private final Map<String, List<String>> natChains = new LinkedHashMap<>();

        Builder(ServicePort svc) {
            this.svc = svc;
        }

        void filter(String chain, RuleSpec r) {
            filterShared.computeIfAbsent(chain, k -> new ArrayList<>()).add(r.build());
        }

        void nat(String chain, RuleSpec r) {
            natShared.computeIfAbsent(chain, k -> new ArrayList<>()).add(r.build());
        }

        void chain(String chain, List<String> rules) {
            natChains.put(chain, rules);
        }

        ServiceRules build(int endpointChains, boolean noLocalInternal, boolean noLocalExternal) {
            return new ServiceRules(svc.name(), filterShared, natShared, natChains, endpointChains,
                    noLocalInternal, noLocalExternal);
        }
    }
}
