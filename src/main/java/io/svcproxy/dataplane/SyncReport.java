package io.svcproxy.dataplane;

import io.svcproxy.model.ClusterSnapshot;
import io.svcproxy.model.TriggerTime;

import java.time.Duration;
import java.util.List;

/**
 * What one sync did, across families; logged as one line.
 *
 * @param families     per family, what was written to its rules
 * @param took         the whole sync (snapshot to report), which kube-proxy's sync duration metrics observe
 *                     under every family's label
 * @param snapshot     the desired state this sync applied
 * @param triggerTimes when the changes it applied were made (EndpointSlice
 *                     endpoints.kubernetes.io/last-change-trigger-time), for network programming latency,
 *                     each observed only for its slice's family
 * @param detail       the mode's own changes besides the families' rules (IPVS services, ipsets), for the log
 */
public record SyncReport(boolean full, List<FamilyResult> families, int conntrackDeleted, Duration took,
                         ClusterSnapshot snapshot, List<TriggerTime> triggerTimes, Detail detail) {

    /** A mode's part of the log line, after the families' rule counts ("ipvs=+3/-0/~0 ipset lines=4"). */
    @FunctionalInterface
    public interface Detail {
        Detail NONE = () -> "";

        /** Words for the log line; "" for nothing. */
        String describe();
    }

    public SyncReport {
        families = List.copyOf(families);
        triggerTimes = List.copyOf(triggerTimes);
    }

    public SyncReport(boolean full, List<FamilyResult> families, int conntrackDeleted, Duration took,
                      ClusterSnapshot snapshot, List<TriggerTime> triggerTimes) {
        this(full, families, conntrackDeleted, took, snapshot, triggerTimes, Detail.NONE);
    }

    public SyncReport(boolean full, List<FamilyResult> families, int conntrackDeleted, Duration took) {
        this(full, families, conntrackDeleted, took, ClusterSnapshot.empty(), List.of());
    }

    /** The mode's detail as its own type (tests and benchmarks of that mode read it). */
    public <T extends Detail> T detail(Class<T> type) {
        return type.cast(detail);
    }

    public long payloadBytes() {
        return families.stream().mapToLong(FamilyResult::payloadBytes).sum();
    }

    public int driftRepaired() {
        return families.stream().mapToInt(FamilyResult::driftRepaired).sum();
    }

    public int writes() {
        return families.stream().mapToInt(FamilyResult::writes).sum();
    }

    /** "sync complete full=true writes=2 payload bytes=1234 ..." — operators and tests grep this. */
    public String describe() {
        StringBuilder sb = new StringBuilder("sync complete full=").append(full)
                .append(" writes=").append(writes())
                .append(" payload bytes=").append(payloadBytes());
        for (FamilyResult r : families) {
            sb.append(' ').append(r.family().kubernetesName()).append("=+").append(r.rulesAdded())
                    .append("/-").append(r.rulesDeleted());
        }
        String mode = detail.describe();
        if (!mode.isEmpty()) {
            sb.append(' ').append(mode);
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
