package io.svcproxy.apply.ipvs;

import io.svcproxy.dataplane.SyncReport;
import io.svcproxy.diff.ipvs.IpsetChanges;
import io.svcproxy.diff.ipvs.IpvsChanges;
import io.svcproxy.ipvs.IpvsOp;

/**
 * IPVS mode's part of a sync, beside the glue rules' per-family counts: IPVS operations by kind
 * (services, destinations and kube-ipvs0 addresses together), destinations draining, ipset restore lines.
 */
public record IpvsSyncSummary(int added, int updated, int deleted, int draining, int ipsetLines)
        implements SyncReport.Detail {

    static IpvsSyncSummary of(IpvsChanges changes, IpsetChanges sets) {
        int added = 0;
        int updated = 0;
        int deleted = 0;
        for (IpvsOp op : changes.ops()) {
            if (op instanceof IpvsOp.AddService || op instanceof IpvsOp.AddDestination || op instanceof IpvsOp.BindAddress) {
                added++;
            } else if (op instanceof IpvsOp.UpdateService || op instanceof IpvsOp.UpdateDestination) {
                updated++;
            } else {
                deleted++;
            }
        }
        return new IpvsSyncSummary(added, updated, deleted, changes.drain().since().size(),
                sets.apply().size() + sets.destroyAfter().size());
    }

    public int changes() {
        return added + updated + deleted;
    }

    /** "ipvs=+10/-0/~0 draining=1 ipset lines=17" (draining only when some are). */
    @Override
    public String describe() {
        StringBuilder sb = new StringBuilder("ipvs=+").append(added).append("/-").append(deleted).append("/~")
                .append(updated);
        if (draining > 0) {
            sb.append(" draining=").append(draining);
        }
        return sb.append(" ipset lines=").append(ipsetLines).toString();
    }
}
