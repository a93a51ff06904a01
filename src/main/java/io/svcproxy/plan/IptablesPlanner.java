package io.svcproxy.plan;

import static io.svcproxy.plan.KubeChains.EXTERNAL_SERVICES;
import static io.svcproxy.plan.KubeChains.FILTER;
import static io.svcproxy.plan.KubeChains.FORWARD;
import static io.svcproxy.plan.KubeChains.KUBELET_FIREWALL;
import static io.svcproxy.plan.KubeChains.MANGLE;
import static io.svcproxy.plan.KubeChains.MARK_MASQ;
import static io.svcproxy.plan.KubeChains.NAT;
import static io.svcproxy.plan.KubeChains.NODEPORTS;
import static io.svcproxy.plan.KubeChains.POSTROUTING;
import static io.svcproxy.plan.KubeChains.PROXY_CANARY;
import static io.svcproxy.plan.KubeChains.PROXY_FIREWALL;
import static io.svcproxy.plan.KubeChains.SERVICES;

import io.svcproxy.iptables.Ruleset;
import io.svcproxy.iptables.Table;
import io.svcproxy.model.ClusterSnapshot;
import io.svcproxy.model.Endpoint;
import io.svcproxy.model.ServicePort;
import io.svcproxy.model.ServicePortName;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Snapshot -> the complete desired iptables state of one family, rule-compatible with kube-proxy's
 * iptables mode. Pure and deterministic: services in name order, endpoints in endpoint-string order.
 */
public final class IptablesPlanner {
    private IptablesPlanner() {
    }

    public static IptablesPlan plan(ClusterSnapshot snapshot, PlannerOptions opts) {
        boolean largeCluster = totalEndpoints(snapshot, opts) > opts.largeClusterEndpoints();
        ServicePortRenderer renderer = new ServicePortRenderer(opts, largeCluster);
        List<ServiceRules> services = new ArrayList<>();
        for (ServicePort svc : snapshot.services().values()) {
            ServiceRules rendered = renderer.render(svc, snapshot.endpointsOf(svc.name()));
            if (rendered != null) {
                services.add(rendered);
            }
        }
        return assemble(services, opts);
    }

    /** Joins per-service rules and the fixed rules into tables, in kube-proxy's chain order. */
    public static IptablesPlan assemble(List<ServiceRules> services, PlannerOptions opts) {
        FixedRules fixed = new FixedRules(opts);
        boolean localnetGuard = opts.localhostNodePortsActive();

        TableBuilder filter = new TableBuilder();
        for (String chain : List.of(SERVICES, EXTERNAL_SERVICES, FORWARD, NODEPORTS, PROXY_FIREWALL)) {
            filter.declare(chain);
        }
        TableBuilder nat = new TableBuilder();
        for (String chain : List.of(SERVICES, NODEPORTS, POSTROUTING, MARK_MASQ)) {
            nat.declare(chain);
        }
        nat.addAll(POSTROUTING, fixed.postrouting());
        nat.addAll(MARK_MASQ, fixed.markMasq());
        // kube-proxy's proxier ensures KUBE-FIREWALL and its jumps from INPUT and OUTPUT in every family
        // (IPv6 too, where it stays empty); the localnet guard inside is IPv4's, with localhost NodePorts.
        filter.declare(KUBELET_FIREWALL);
        if (localnetGuard) {
            filter.addAll(KUBELET_FIREWALL, fixed.localnetGuard());
        }

        Map<String, ServicePortName> owners = new LinkedHashMap<>();
        for (ServiceRules svc : services) {
            svc.filterShared().forEach(filter::addAll);
            svc.natShared().forEach(nat::addAll);
            svc.natChains().forEach((chain, rules) -> {
                nat.declare(chain);
                nat.addAll(chain, rules);
                owners.put(chain, svc.name());
            });
        }
        nat.addAll(SERVICES, fixed.nodePortsTail());
        filter.addAll(FORWARD, fixed.forward());

        TableBuilder mangle = new TableBuilder();
        for (TableBuilder t : List.of(filter, nat, mangle)) {
            t.declare(PROXY_CANARY);
        }
        BuiltinJumps jumps = fixed.jumps();
        jumps.of(FILTER).forEach(filter::builtin);
        jumps.of(NAT).forEach(nat::builtin);

        Map<String, Table> tables = new LinkedHashMap<>();
        tables.put(FILTER, filter.build(FILTER));
        tables.put(NAT, nat.build(NAT));
        tables.put(MANGLE, mangle.build(MANGLE));

        List<String> counters = new ArrayList<>();
        if (opts.nfacctCounters()) {
            if (!opts.conntrackTcpBeLiberal()) {
                counters.add(KubeChains.NFACCT_INVALID_DROPPED);
            }
            if (opts.localhostNodePortsActive()) {
                counters.add(KubeChains.NFACCT_LOCALHOST_NODEPORTS);
            }
        }
        return new IptablesPlan(new Ruleset(opts.family(), tables), owners, counters, List.of());
    }

    private static int totalEndpoints(ClusterSnapshot snapshot, PlannerOptions opts) {
        int total = 0;
        for (ServicePort svc : snapshot.services().values()) {
            if (svc.clusterIP(opts.family()) == null) {
                continue;
            }
            for (Endpoint ep : snapshot.endpointsOf(svc.name())) {
                if (ep.family() == opts.family()) {
                    total++;
                }
            }
        }
        return total;
    }
}
