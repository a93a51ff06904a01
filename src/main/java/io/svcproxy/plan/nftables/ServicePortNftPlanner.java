package io.svcproxy.plan.nftables;

import static io.svcproxy.plan.nftables.NftRules.goTo;
import static io.svcproxy.plan.nftables.NftRules.one;
import static io.svcproxy.plan.nftables.NftRules.seq;

import io.svcproxy.model.Cidr;
import io.svcproxy.model.Endpoint;
import io.svcproxy.model.IpFamily;
import io.svcproxy.model.Protocol;
import io.svcproxy.model.ServicePort;
import io.svcproxy.model.ServicePortName;
import io.svcproxy.nftables.Bytes;
import io.svcproxy.nftables.NftChain;
import io.svcproxy.nftables.NftElement;
import io.svcproxy.nftables.NftExpr;
import io.svcproxy.nftables.NftKeyType;
import io.svcproxy.nftables.NftRule;
import io.svcproxy.nftables.NftSet;
import io.svcproxy.nftables.NftVerdict;
import io.svcproxy.plan.LocalTrafficDetector;
import io.svcproxy.plan.ServicePortIntent;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One service port's nftables objects, from its {@link ServicePortIntent}, as kube-proxy v1.36's
 * nftables mode writes them: map elements sending its addresses to its chains (or to drop/reject),
 * a numgen DNAT in its service/local chain (through per-endpoint chains only with ClientIP affinity),
 * an external chain that masquerades or short-circuits, a firewall chain for source ranges.
 */
final class ServicePortNftPlanner {
    /** kube-proxy creates affinity sets without a size; nft gives dynamic sets this one. */
    static final int AFFINITY_SET_SIZE = 65535;

    private final NftablesOptions opts;
    private final IpFamily family;

    ServicePortNftPlanner(NftablesOptions opts) {
        this.opts = opts;
        this.family = opts.family();
    }

    /** Null when the port has no cluster IP of this family. */
    ServicePortObjects plan(ServicePort svc, List<Endpoint> endpoints) {
        ServicePortIntent intent = ServicePortIntent.of(svc, endpoints, opts.base());
        return intent == null ? null : plan(intent);
    }

    ServicePortObjects plan(ServicePortIntent in) {
        return new ServicePortObjects(in.name(), chains(in), affinitySets(in), elements(in));
    }

    /** Its elements of the shared sets and maps: where each of its addresses goes. */
    private Map<String, List<NftElement>> elements(ServicePortIntent in) {
        ServicePortName name = in.name();
        Protocol proto = name.protocol();
        int port = in.service().port();
        String comment = NftNames.comment(name);
        String internalChain = in.internalPolicyLocal() ? NftNames.localChain(name) : NftNames.clusterChain(name);
        String externalChain = NftNames.externalChain(name);
        NftVerdict internalNone = noEndpointsVerdict(in.internalNoEndpoints());
        NftVerdict externalNone = noEndpointsVerdict(in.externalNoEndpoints());
        Map<String, List<NftElement>> els = new LinkedHashMap<>();

        add(els, NftNames.CLUSTER_IPS, NftElement.key(NftValues.addr(in.clusterIP())));
        if (in.hasInternalEndpoints()) {
            add(els, NftNames.SERVICE_IPS, target(in.clusterIP(), proto, port, internalChain));
        } else {
            add(els, NftNames.NO_ENDPOINT_SERVICES, filtered(in.clusterIP(), proto, port, internalNone, comment));
        }
        for (InetAddress ip : in.externalIPs()) {
            if (in.hasEndpoints()) {
                add(els, NftNames.SERVICE_IPS, target(ip, proto, port, externalChain));
            }
            if (!in.hasExternalEndpoints()) {
                add(els, NftNames.NO_ENDPOINT_SERVICES, filtered(ip, proto, port, externalNone, comment));
            }
        }
        for (InetAddress ip : in.loadBalancerIPs()) {
            if (in.hasEndpoints()) {
                add(els, NftNames.SERVICE_IPS, target(ip, proto, port, externalChain));
            }
            if (in.sourceRangesApply()) {
                add(els, NftNames.FIREWALL_IPS, target(ip, proto, port, NftNames.firewallChain(name)));
            }
            if (!in.hasExternalEndpoints()) {
                add(els, NftNames.NO_ENDPOINT_SERVICES, filtered(ip, proto, port, externalNone, comment));
            }
        }
        if (in.nodePort() != 0) {
            Bytes key = NftValues.protoPort(proto, in.nodePort());
            if (in.hasEndpoints()) {
                add(els, NftNames.SERVICE_NODEPORTS, NftElement.verdict(key, NftVerdict.goTo(externalChain), null));
            }
            if (!in.hasExternalEndpoints()) {
                add(els, NftNames.NO_ENDPOINT_NODEPORTS, NftElement.verdict(key, externalNone, comment));
            }
        }
        for (Endpoint ep : in.localReachableEndpoints(opts.base().hostname())) {
            add(els, NftNames.HAIRPIN_CONNECTIONS, NftElement.key(hairpinKey(ep, proto)));
        }
        return els;
    }

    /** With ClientIP affinity: one dynamic set per reachable endpoint, remembering who went there. */
    private Map<String, NftSet> affinitySets(ServicePortIntent in) {
        Map<String, NftSet> sets = new LinkedHashMap<>();
        if (in.sessionAffinity()) {
            for (Endpoint ep : in.reachableEndpoints()) {
                String set = NftNames.affinitySet(in.name(), ep);
                sets.put(set, new NftSet(set, NftKeyType.of(NftValues.addrType(family)), null,
                        NftSet.F_TIMEOUT | NftSet.F_EVAL, in.affinityTimeoutSeconds() * 1000L, AFFINITY_SET_SIZE,
                        null, List.of()));
            }
        }
        return sets;
    }

    /** Its chains, in the order kube-proxy creates them: endpoint, service, local, external, firewall. */
    private Map<String, NftChain> chains(ServicePortIntent in) {
        ServicePortName name = in.name();
        String clusterChain = NftNames.clusterChain(name);
        String localChain = NftNames.localChain(name);
        String externalChain = NftNames.externalChain(name);
        String firewallChain = NftNames.firewallChain(name);
        Map<String, NftChain> chains = new LinkedHashMap<>();
        if (in.sessionAffinity()) {
            for (Endpoint ep : in.reachableEndpoints()) {
                String chain = NftNames.endpointChain(name, ep);
                chains.put(chain, NftChain.regular(chain, List.of(
                        NftRule.of(NftRules.updateSaddr(family, NftNames.affinitySet(name, ep))),
                        NftRule.of(seq(NftRules.l4protoIs(name.protocol()),
                                NftRules.dnatTo(family, ep.ip(), ep.port()))))));
            }
        }
        if (in.usesClusterEndpoints()) {
            chains.put(clusterChain, NftChain.regular(clusterChain, endpointRules(in, in.clusterEndpoints())));
        }
        if (in.usesLocalEndpoints()) {
            chains.put(localChain, NftChain.regular(localChain, endpointRules(in, in.localEndpoints())));
        }
        if (in.usesExternalChain()) {
            String policyChain = in.externalPolicyLocal() ? localChain : clusterChain;
            chains.put(externalChain, NftChain.regular(externalChain, externalRules(in, clusterChain, policyChain)));
        }
        if (in.sourceRangesApply()) {
            chains.put(firewallChain, NftChain.regular(firewallChain, List.of(firewallRule(in))));
        }
        return chains;
    }

    private List<NftRule> endpointRules(ServicePortIntent in, List<Endpoint> endpoints) {
        ServicePortName name = in.name();
        List<NftRule> rules = new ArrayList<>();
        if (in.sessionAffinity()) {
            List<String> targets = new ArrayList<>();
            for (Endpoint ep : endpoints) {
                String chain = NftNames.endpointChain(name, ep);
                rules.add(NftRule.of(seq(NftRules.addrInSet(family, true, NftNames.affinitySet(name, ep)),
                        one(goTo(chain)))));
                targets.add(chain);
            }
            rules.add(NftRule.of(NftRules.numgenVmap(endpoints.size(), NftValues.indexVmap(targets))));
            return rules;
        }
        List<InetAddress> ips = endpoints.stream().map(Endpoint::ip).toList();
        List<Integer> ports = endpoints.stream().map(Endpoint::port).toList();
        rules.add(NftRule.of(seq(NftRules.l4protoIs(name.protocol()),
                NftRules.numgenDnat(family, endpoints.size(), NftValues.indexDnatMap(family, ips, ports)))));
        return rules;
    }

    private List<NftRule> externalRules(ServicePortIntent in, String clusterChain, String externalPolicyChain) {
        long mark = opts.base().masqueradeMark();
        List<NftRule> rules = new ArrayList<>();
        if (!in.externalPolicyLocal()) {
            rules.add(new NftRule(NftRules.setMarkBits(mark), "masquerade"));
        } else {
            LocalTrafficDetector detector = opts.base().localDetector();
            if (detector.implemented()) {
                rules.add(new NftRule(seq(NftLocalTraffic.match(family, detector, false), one(goTo(clusterChain))),
                        "short-circuit pod traffic"));
            }
            rules.add(new NftRule(seq(NftRules.fibTypeLocal(true), NftRules.setMarkBits(mark)),
                    "masquerade local traffic"));
            rules.add(new NftRule(seq(NftRules.fibTypeLocal(true), one(goTo(clusterChain))),
                    "short-circuit local traffic"));
        }
        if (in.hasExternalEndpoints()) {
            rules.add(NftRule.of(one(goTo(externalPolicyChain))));
        }
        return rules;
    }

    /** {@code ip saddr != { ranges [, LB IPs] } drop}; nft writes a single range as a plain match. */
    private NftRule firewallRule(ServicePortIntent in) {
        List<Cidr> sources = new ArrayList<>(in.sourceRanges());
        if (in.allowFromNode()) {
            in.loadBalancerIPs().forEach(ip -> sources.add(new Cidr(ip, family.bits())));
        }
        List<NftExpr> match = sources.size() == 1
                ? NftRules.addrMatch(family, true, sources.get(0), true)
                : NftRules.saddrNotIn(family, NftValues.cidrIntervals(family, sources));
        return NftRule.of(seq(match, one(NftRules.verdict(NftVerdict.DROP))));
    }

    private static NftVerdict noEndpointsVerdict(ServicePortIntent.NoEndpoints kind) {
        return switch (kind) {
            case REJECT -> NftVerdict.goTo(NftNames.REJECT_CHAIN);
            case DROP -> NftVerdict.DROP;
            case NONE -> null;
        };
    }

    private static NftElement target(InetAddress ip, Protocol proto, int port, String chain) {
        return NftElement.verdict(NftValues.addrProtoPort(ip, proto, port), NftVerdict.goTo(chain), null);
    }

    private static NftElement filtered(InetAddress ip, Protocol proto, int port, NftVerdict verdict, String comment) {
        return NftElement.verdict(NftValues.addrProtoPort(ip, proto, port), verdict, comment);
    }

    private static void add(Map<String, List<NftElement>> els, String set, NftElement e) {
        els.computeIfAbsent(set, k -> new ArrayList<>()).add(e);
    }

    /** hairpin-connections keys: endpoint . endpoint . proto . port (a pod reaching itself is masqueraded). */
    private static Bytes hairpinKey(Endpoint ep, Protocol proto) {
        return Bytes.concat(NftValues.addr(ep.ip()), NftValues.addr(ep.ip()),
                NftValues.proto(proto), Bytes.be16(ep.port()));
    }
}
