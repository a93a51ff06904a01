package io.svcproxy.bench;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.svcproxy.diff.ChangeSet;
import io.svcproxy.diff.RulesetDiff;
import io.svcproxy.iptables.Ruleset;
import io.svcproxy.model.ClusterSnapshot;
import io.svcproxy.model.IpFamily;
import io.svcproxy.plan.IptablesPlan;
import io.svcproxy.plan.IptablesPlanner;
import io.svcproxy.plan.PlannerOptions;
import io.svcproxy.source.SnapshotBuilder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * {@link CoreBenchmark}'s steps for the dual-stack cluster (every service with an IPv4 and an IPv6
 * cluster IP, every pod with an endpoint of each family): each operation does both families, as a
 * dual-stack node's sync does (one plan, diff and payload per family). The one change is one pod
 * added to the middle service (an endpoint in each family). Run by {@link BenchMain}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class DualStackBenchmark {
    static final List<IpFamily> FAMILIES = List.of(IpFamily.V4, IpFamily.V6);

    @Param({"1000"})
    public int services;

    List<Service> k8sServices;
    List<EndpointSlice> k8sSlices;
    List<PlannerOptions> options;
    ClusterSnapshot snapshot;
    ClusterSnapshot onePodMore;
    List<IptablesPlan> plans;
    List<IptablesPlan> plansOnePodMore;
    List<ChangeSet> fullChanges;
    List<ChangeSet> onePodChanges;

    @Setup(Level.Trial)
    public void setUp() {
        k8sServices = BenchCluster.services(services, true);
        k8sSlices = BenchCluster.slices(services, true);
        options = FAMILIES.stream().map(f -> PlannerOptions.defaults(f, BenchCluster.NODE)).toList();
        snapshot = SnapshotBuilder.build(k8sServices, k8sSlices, Optional.empty(), BenchCluster.NODE);
        if (snapshot.services().size() != services || !snapshot.warnings().isEmpty()
                || snapshot.endpointsOf(BenchCluster.name(0)).size() != 2 * BenchCluster.ENDPOINTS) {
            throw new IllegalStateException("generated dual-stack cluster did not convert cleanly: " + snapshot.warnings());
        }
        onePodMore = BenchCluster.withExtraPod(snapshot, BenchCluster.name(services / 2), 0);
        plans = render();
        plansOnePodMore = plan(onePodMore);
        fullChanges = diffAgainstEmpty();
        onePodChanges = diffOnePod();
    }

    private List<IptablesPlan> plan(ClusterSnapshot s) {
        List<IptablesPlan> out = new ArrayList<>(2);
        for (PlannerOptions o : options) {
            out.add(IptablesPlanner.plan(s, o));
        }
        return out;
    }

    /** fabric8 Services + both families' EndpointSlices -> ClusterSnapshot. */
    @Benchmark
    public ClusterSnapshot snapshotFromObjects() {
        return SnapshotBuilder.build(k8sServices, k8sSlices, Optional.empty(), BenchCluster.NODE);
    }

    /** ClusterSnapshot -> the IPv4 and the IPv6 desired rulesets. */
    @Benchmark
    public List<IptablesPlan> render() {
        return plan(snapshot);
    }

    /** First sync of both families: each plan against an empty node. */
    @Benchmark
    public List<ChangeSet> diffAgainstEmpty() {
        List<ChangeSet> out = new ArrayList<>(2);
        for (IptablesPlan p : plans) {
            out.add(RulesetDiff.diff(Ruleset.empty(p.desired().family()), p));
        }
        return out;
    }

    /** Partial sync: each family's diff against its previous plan, one pod added. */
    @Benchmark
    public List<ChangeSet> diffOnePod() {
        List<ChangeSet> out = new ArrayList<>(2);
        for (int i = 0; i < plans.size(); i++) {
            out.add(RulesetDiff.diff(plans.get(i).desired(), plansOnePodMore.get(i)));
        }
        return out;
    }

    /** A partial sync's compute for both families: render the new snapshot, diff each family. */
    @Benchmark
    public List<ChangeSet> renderAndDiffOnePod() {
        List<IptablesPlan> next = plan(onePodMore);
        List<ChangeSet> out = new ArrayList<>(2);
        for (int i = 0; i < plans.size(); i++) {
            out.add(RulesetDiff.diff(plans.get(i).desired(), next.get(i)));
        }
        return out;
    }

    /** Streams both families' first-sync --noflush payloads into a counting sink. */
    @Benchmark
    public long payloadFull() throws IOException {
        return stream(fullChanges);
    }

    /** Streams both families' one-pod partial payloads into a counting sink. */
    @Benchmark
    public long payloadOnePod() throws IOException {
        return stream(onePodChanges);
    }

    private static long stream(List<ChangeSet> changes) throws IOException {
        CoreBenchmark.CountingSink sink = new CoreBenchmark.CountingSink();
        for (ChangeSet c : changes) {
            c.writeTo(sink);
        }
        return sink.count;
    }
}
