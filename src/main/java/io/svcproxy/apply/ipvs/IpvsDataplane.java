package io.svcproxy.apply.ipvs;

import io.svcproxy.apply.ConntrackCleaner;
import io.svcproxy.apply.IptablesSyncer;
import io.svcproxy.dataplane.Dataplane;
import io.svcproxy.dataplane.FamilyResult;
import io.svcproxy.dataplane.SyncReport;
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
import io.svcproxy.ipvs.RealServer;
import io.svcproxy.ipvs.VirtualServer;
import io.svcproxy.model.ClusterSnapshot;
import io.svcproxy.model.IpFamily;
import io.svcproxy.model.Protocol;
import io.svcproxy.model.SnapshotSupplier;
import io.svcproxy.model.TriggerTime;
import io.svcproxy.plan.ConntrackFilter;
import io.svcproxy.plan.KubeChains;
import io.svcproxy.plan.ipvs.IpvsPlan;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * IPVS mode's dataplane. One sync, read as a table of contents: take the latest snapshot, plan each
 * family; create and fill the ipsets the rules will name; bring the iptables glue to the plan (the same
 * {@link IptablesSyncer} as iptables mode: minimal --noflush payloads, drift repair on full syncs);
 * diff and apply the IPVS services, destinations and kube-ipvs0 addresses (draining removed
 * destinations); destroy the sets no rule names any more; flush conntrack entries of removed UDP
 * destinations; report.
 *
 * <p>Like the iptables side, it remembers the ipset and IPVS state it left, so a partial sync reads
 * neither (a no-op resync sends no IPVS message); a full sync reads both (drift repair). A partial
 * sync reads only the destinations of the services whose connection counts decide: those with a
 * draining destination (is it drained yet?) and those losing a TCP/SCTP destination (drain or
 * delete?), one dump per service, not the whole table (unless such a service reads empty: drift).
 * Any failure
 * forgets everything remembered, so the next sync (which the loop makes a full one) reads the kernel.
 */
public final class IpvsDataplane implements Dataplane {
    private final SnapshotSupplier source;
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

    public IpvsDataplane(SnapshotSupplier source, IpvsPlanFactory planner, List<IptablesSyncer> families,
                         Ipsets ipsets, IpvsKernel kernel, ConntrackCleaner conntrack, Supplier<IpvsDiff.Scope> scope,
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

    @Override
    public List<IpFamily> families() {
        return families.stream().map(IptablesSyncer::family).toList();
    }

    /** IPVS mode's glue has no canary chain: its nat KUBE-SERVICES chain going away means a flush. */
    @Override
    public String canary() {
        return "chain " + KubeChains.SERVICES;
    }

    @Override
    public boolean canaryPresent() {
        return families.get(0).chainExists(KubeChains.NAT, KubeChains.SERVICES);
    }

    /** Closes the IPVS kernel handle (netlink sockets). */
    @Override
    public void close() {
        kernel.close();
    }

    /** The destinations currently draining (weight 0, waiting for their connections to end). */
    public DrainState drainState() {
        return drain;
    }

    @Override
    public SyncReport sync(boolean full) {
        long start = System.nanoTime();
        List<TriggerTime> triggers = source.takeTriggerTimes();
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

    private SyncReport syncTo(ClusterSnapshot snapshot, boolean full, List<TriggerTime> triggers, long start) {
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
        List<FamilyResult> results = new ArrayList<>();
        for (IptablesSyncer f : families) {
            IpvsPlan plan = plans.get(f.family());
            results.add(f.sync(plan.glue(), full).reported(plan.glue()));
        }

        // 3. IPVS: services, destinations (drained), kube-ipvs0 addresses.
        Diffed ipvs = readAndDiff(full || knownIpvs == null, desiredIpvs, scope.get(), clockMillis.getAsLong());
        IpvsState actualIpvs = ipvs.actual();
        IpvsChanges changes = ipvs.changes();
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
                IpvsSyncSummary.of(changes, setChanges));
    }

    /** The IPVS state the diff starts from, and the diff. */
    private record Diffed(IpvsState actual, IpvsChanges changes) {
    }

    /**
     * A full sync (or one after a failure) reads the whole table. A partial one starts from the
     * remembered state and reads only what connection counts decide, which only the kernel knows:
     * the services with a draining destination (drained yet?), then those the diff takes a TCP/SCTP
     * destination from (drain or delete?), and diffs again. The second diff can only change ops of
     * the services just read, so one more round is enough.
     */
    private Diffed readAndDiff(boolean readAll, IpvsState desired, IpvsDiff.Scope sc, long now) {
        if (readAll) {
            return diffed(kernel.read(), desired, sc, now);
        }
        Set<VirtualServer.Key> draining = drainingServices(knownIpvs, drain);
        IpvsState actual = withKernelDestinations(knownIpvs, draining);
        if (actual == null) {
            return diffed(kernel.read(), desired, sc, now);
        }
        Diffed first = diffed(actual, desired, sc, now);
        Set<VirtualServer.Key> removing = connectionOrientedRemovals(first.changes());
        removing.removeAll(draining);
        if (removing.isEmpty()) {
            return first;
        }
        actual = withKernelDestinations(actual, removing);
        return diffed(actual == null ? kernel.read() : actual, desired, sc, now);
    }

    private Diffed diffed(IpvsState actual, IpvsState desired, IpvsDiff.Scope sc, long now) {
        return new Diffed(actual, IpvsDiff.diff(actual, desired, drain, sc, now));
    }

    /**
     * {@code state} with the kernel's destinations of {@code services}; null when one of them reads
     * empty although we left destinations there: it, or all its destinations, went behind our back
     * (the dump cannot tell which), drift that only a read of the whole table repairs.
     */
    private IpvsState withKernelDestinations(IpvsState state, Set<VirtualServer.Key> services) {
        if (services.isEmpty()) {
            return state;
        }
        Map<VirtualServer.Key, List<RealServer>> read = kernel.readDestinations(services);
        for (VirtualServer.Key key : services) {
            if (read.getOrDefault(key, List.of()).isEmpty() && !state.destinationsOf(key).isEmpty()) {
                return null;
            }
        }
        return IpvsStates.withDestinations(state, read);
    }

    /** The services of {@code state} with a destination in {@code drain}, in key order. */
    private static Set<VirtualServer.Key> drainingServices(IpvsState state, DrainState drain) {
        Set<VirtualServer.Key> out = new TreeSet<>();
        if (drain.isEmpty()) {
            return out;
        }
        state.destinations().forEach((key, dests) -> {
            if (dests.stream().anyMatch(rs -> drain.draining(key, rs))) {
                out.add(key);
            }
        });
        return out;
    }

    /** The services in which {@code changes} delete or drain a TCP/SCTP destination, in key order. */
    private static Set<VirtualServer.Key> connectionOrientedRemovals(IpvsChanges changes) {
        Set<VirtualServer.Key> out = new TreeSet<>();
        for (IpvsOp op : changes.ops()) {
            if (op instanceof IpvsOp.DeleteDestination d && d.service().protocol() != Protocol.UDP) {
                out.add(d.service());
            }
            if (op instanceof IpvsOp.UpdateDestination u && u.destination().weight() == 0) {
                out.add(u.service());
            }
        }
        return out;
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
}
