package io.svcproxy.reconcile;

import io.svcproxy.apply.IptablesSyncer;
import io.svcproxy.model.ClusterSnapshot;

import java.time.Duration;
import java.time.Instant;
import io.svcproxy.model.IpFamily;

import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one sync did, across families; logged as one line.
 *
 * @param snapshot     the desired state this sync applied
 * @param triggerTimes when the changes it applied were made (EndpointSlice
 *                     endpoints.kubernetes.io/last-change-trigger-time), for network programming latency
 * @param rulesPerTable per family, the number of rules the plan owns in each table (filter, nat, ...),
 *                      for kubeproxy_sync_proxy_rules_iptables_total; empty when not known
 */
public record SyncReport(boolean full, List<IptablesSyncer.Result> families, int conntrackDeleted, Duration took,
                         ClusterSnapshot snapshot, List<Instant> triggerTimes,
                         Map<IpFamily, Map<String, Integer>> rulesPerTable, Ipvs ipvs) {

    /**
     * IPVS mode's part of a sync (null in iptables mode): IPVS operations by kind (services,
     * destinations and kube-ipvs0 addresses together), destinations draining, ipset restore lines.
     */
    public record Ipvs(int added, int updated, int deleted, int draining, int ipsetLines) {
        public int changes() {
            return added + updated + deleted;
        }
    }

    public SyncReport(boolean full, List<IptablesSyncer.Result> families, int conntrackDeleted, Duration took,
                      ClusterSnapshot snapshot, List<Instant> triggerTimes,
                      Map<IpFamily, Map<String, Integer>> rulesPerTable) {
        this(full, families, conntrackDeleted, took, snapshot, triggerTimes, rulesPerTable, null);
    }

    public SyncReport {
        families = List.copyOf(families);
        triggerTimes = List.copyOf(triggerTimes);
        Map<IpFamily, Map<String, Integer>> copy = new EnumMap<>(IpFamily.class);
        rulesPerTable.forEach((f, tables) -> copy.put(f, Collections.unmodifiableMap(new TreeMap<>(tables))));
        rulesPerTable = Collections.unmodifiableMap(copy);
    }

    public SyncReport(boolean full, List<IptablesSyncer.Result> families, int conntrackDeleted, Duration took,
                      ClusterSnapshot snapshot, List<Instant> triggerTimes) {
        this(full, families, conntrackDeleted, took, snapshot, triggerTimes, Map.of());
    }

    public SyncReport(boolean full, List<IptablesSyncer.Result> families, int conntrackDeleted, Duration took) {
        this(full, families, conntrackDeleted, took, ClusterSnapshot.empty(), List.of());
    }

    public long payloadBytes() {
        return families.stream().mapToLong(IptablesSyncer.Result::payloadBytes).sum();
    }

    public int driftRepaired() {
        return families.stream().mapToInt(IptablesSyncer.Result::driftRepaired).sum();
    }

    public int writes() {
        return families.stream().mapToInt(IptablesSyncer.Result::writes).sum();
    }

    /** "sync complete full=true writes=2 payload bytes=1234 ..." — operators and tests grep this. */
    public String describe() {
        StringBuilder sb = new StringBuilder("sync complete full=").append(full)
                .append(" writes=").append(writes())
                .append(" payload bytes=").append(payloadBytes());
        for (IptablesSyncer.Result r : families) {
            sb.append(' ').append(r.family().kubernetesName()).append("=+").append(r.rulesAdded())
                    .append("/-").append(r.rulesDeleted());
        }
        if (ipvs != null) {
            sb.append(" ipvs=+").append(ipvs.added()).append("/-").append(ipvs.deleted()).append("/~")
                    .append(ipvs.updated());
            if (ipvs.draining() > 0) {
                sb.append(" draining=").append(ipvs.draining());
            }
            sb.append(" ipset lines=").append(ipvs.ipsetLines());
        }
        if (driftRepaired() > 0) {
            sb.append(" drift repaired=").append(driftRepaired());
        }
        if (conntrackDeleted > 0) {
            sb.append(" conntrack deleted=").append(conntrackDeleted);
        }
        return sb.append(" took=").append(took.toMillis()).append("ms").toString();
    }
}
