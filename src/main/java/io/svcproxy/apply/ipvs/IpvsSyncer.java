package io.svcproxy.apply.ipvs;

import io.svcproxy.apply.ConntrackCleaner;
import io.svcproxy.apply.IptablesSyncer;
import io.svcproxy.diff.ipvs.DrainState;
import io.svcproxy.diff.ipvs.IpsetChanges;
import io.svcproxy.diff.ipvs.IpsetDiff;
import io.svcproxy.diff.ipvs.IpvsChanges;
import io.svcproxy.diff.ipvs.IpvsDiff;
import io.svcproxy.ipset.Ipset;
import io.svcproxy.ipset.IpsetState;
import io.svcproxy.ipvs.IpvsKernel;
import io.svcproxy.ipvs.IpvsOp;
import io.svcproxy.ipvs.IpvsState;
import io.svcproxy.ipvs.IpvsStates;
import io.svcproxy.model.ClusterSnapshot;
import io.svcproxy.model.IpFamily;
import io.svcproxy.model.Protocol;
import io.svcproxy.plan.ConntrackFilter;
import io.svcproxy.plan.ipvs.IpvsPlan;
import io.svcproxy.reconcile.SyncAction;
import io.svcproxy.reconcile.SyncReport;
import io.svcproxy.source.SnapshotSource;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * IPVS mode's sync, read as a table of contents: take the latest snapshot, plan each family; create
 * and fill the ipsets the rules will name; bring the iptables glue to the plan (the same
 * {@link IptablesSyncer} as iptables mode: minimal --noflush payloads, drift repair on full syncs);
 * diff and apply the IPVS services, destinations and kube-ipvs0 addresses (draining removed
 * destinations); destroy the sets no rule names any more; flush conntrack entries of removed UDP
 * destinations; report.
 *
 * <p>Like the iptables side, it remembers the ipset and IPVS state it left, so a partial sync reads
 * neither (a no-op resync sends no IPVS message); a full sync reads both, and so does a partial
 * one while destinations are draining or when a TCP/SCTP destination is removed (connection counts
 * decide whether it is drained and when it goes). Any failure
 * forgets everything remembered, so the next sync (which the loop makes a full one) reads the kernel.
 */
public final class IpvsSyncer implements SyncAction {
    private final SnapshotSource source;
    private final IpvsPlanFactory planner;
    private final List<IptablesSyncer> families;
    private final Ipsets ipsets;
    private final IpvsKernel kernel;
    private final ConntrackCleaner conntrack;
    private final Supplier<IpvsDiff.Scope> scope;
    private final LongSupplier clockMillis;
    private IpsetState knownIpsets;
    private IpvsState knownIpvs;
    private DrainState drain = DrainState.empty();

    public IpvsSyncer(SnapshotSource source, IpvsPlanFactory planner, List<IptablesSyncer> families, Ipsets ipsets,
                      IpvsKernel kernel, ConntrackCleaner conntrack, Supplier<IpvsDiff.Scope> scope,
                      LongSupplier clockMillis) {
        if (families.isEmpty()) {
            throw new IllegalArgumentException("no IP family to sync");
        }
        this.source = source;
        this.planner = planner;
        this.families = List.copyOf(families);
        this.ipsets = ipsets;
        this.kernel = kernel;
        this.conntrack = conntrack;
        this.scope = scope;
        this.clockMillis = clockMillis;
    }

    /** The destinations currently draining (weight 0, waiting for their connections to end). */
    public DrainState drainState() {
        return drain;
    }

    @Override
    public SyncReport sync(boolean full) {
        long start = System.nanoTime();
        List<Instant> triggers = source.takeTriggerTimes();
        ClusterSnapshot snapshot = source.current();
        try {
            return syncTo(snapshot, full, triggers, start);
        } catch (RuntimeException e) {
            invalidate();
            throw e;
        }
    }

    /** Forgets every remembered state: the next sync reads the kernel. */
    public void invalidate() {
        knownIpsets = null;
        knownIpvs = null;
        families.forEach(IptablesSyncer::invalidate);
    }

    private SyncReport syncTo(ClusterSnapshot snapshot, boolean full, List<Instant> triggers, long start) {
        Map<IpFamily, IpvsPlan> plans = new EnumMap<>(IpFamily.class);
        IpvsState desiredIpvs = IpvsState.empty();
        IpsetState desiredIpsets = IpsetState.empty();
        for (IptablesSyncer f : families) {
            IpvsPlan plan = planner.plan(snapshot, f.family());
            plans.put(f.family(), plan);
            desiredIpvs = IpvsDiff.merge(desiredIpvs, plan.ipvs());
            desiredIpsets = desiredIpsets.merge(plan.ipsets());
        }

        // 1. ipsets the glue will name: created and filled first.
        IpsetState actualIpsets = full || knownIpsets == null ? ipsets.read() : knownIpsets;
        IpsetChanges setChanges = IpsetDiff.diff(actualIpsets, desiredIpsets);
        ipsets.restore(setChanges.apply());

        // 2. the iptables glue, per family.
        List<IptablesSyncer.Result> results = new ArrayList<>();
        Map<IpFamily, Map<String, Integer>> rulesPerTable = new EnumMap<>(IpFamily.class);
        for (IptablesSyncer f : families) {
            IpvsPlan plan = plans.get(f.family());
            results.add(f.sync(plan.glue(), full));
            Map<String, Integer> counts = new TreeMap<>();
            plan.glue().desired().tables().forEach((name, table) -> counts.put(name, table.ruleCount()));
            rulesPerTable.put(f.family(), counts);
        }

        // 3. IPVS: services, destinations (drained), kube-ipvs0 addresses.
        boolean readIpvs = full || knownIpvs == null || !drain.isEmpty();
        IpvsState actualIpvs = readIpvs ? kernel.read() : knownIpvs;
        IpvsDiff.Scope sc = scope.get();
        long now = clockMillis.getAsLong();
        IpvsChanges changes = IpvsDiff.diff(actualIpvs, desiredIpvs, drain, sc, now);
        if (!readIpvs && removesConnectionOrientedDestination(changes)) {
            // Whether a removed TCP/SCTP destination is drained or deleted depends on its live
            // connection count, which only the kernel knows: read it, and diff again.
            actualIpvs = kernel.read();
            changes = IpvsDiff.diff(actualIpvs, desiredIpvs, drain, sc, now);
        }
        knownIpvs = null;   // IPVS has no transactions: until apply returns, the kernel is the truth
        if (!changes.ops().isEmpty()) {
            kernel.apply(changes.ops());
        }
        knownIpvs = IpvsStates.apply(actualIpvs, changes.ops());
        drain = changes.drain();

        // 4. sets no rule names any more (the glue no longer references them).
        ipsets.restore(setChanges.destroyAfter());
        knownIpsets = afterRestore(actualIpsets, desiredIpsets, setChanges);

        // 5. conntrack entries to removed UDP destinations.
        int deleted = cleanConntrack(changes);

        return new SyncReport(full, results, deleted, Duration.ofNanos(System.nanoTime() - start), snapshot, triggers,
                rulesPerTable, summary(changes, setChanges));
    }

    private static boolean removesConnectionOrientedDestination(IpvsChanges changes) {
        for (IpvsOp op : changes.ops()) {
            if (op instanceof IpvsOp.DeleteDestination d && d.service().protocol() != Protocol.UDP) {
                return true;
            }
            if (op instanceof IpvsOp.UpdateDestination u && u.destination().weight() == 0) {
                return true;
            }
        }
        return false;
    }

    private int cleanConntrack(IpvsChanges changes) {
        List<ConntrackFilter> filters = new ArrayList<>();
        for (IpvsChanges.StaleUdpDestination d : changes.conntrackCleanup()) {
            filters.add(new ConntrackFilter(IpFamily.of(d.service().address()), Protocol.UDP, d.service().address(),
                    d.service().port(), d.destination().address()));
        }
        return filters.isEmpty() ? 0 : conntrack.delete(filters);
    }

    private static IpsetState afterRestore(IpsetState actual, IpsetState desired, IpsetChanges changes) {
        Map<String, Ipset> sets = new TreeMap<>(actual.sets());
        sets.putAll(desired.sets());
        for (String line : changes.destroyAfter()) {
            String[] f = line.split(" ");
            if (f.length >= 2 && f[0].equals("destroy")) {
                sets.remove(f[1]);
            }
        }
        return new IpsetState(new TreeMap<>(sets));
    }

    private static SyncReport.Ipvs summary(IpvsChanges changes, IpsetChanges sets) {
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
        return new SyncReport.Ipvs(added, updated, deleted, changes.drain().since().size(),
                sets.apply().size() + sets.destroyAfter().size());
    }
}
