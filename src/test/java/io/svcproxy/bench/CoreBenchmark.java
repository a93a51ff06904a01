package io.svcproxy.bench;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.svcproxy.diff.ChangeSet;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.svcproxy.diff.CompletePayload;
import io.svcproxy.diff.PlanDelta;
import io.svcproxy.diff.RulesetDiff;
import io.svcproxy.iptables.Ruleset;
import io.svcproxy.iptables.SaveParser;
import io.svcproxy.iptables.SaveWriter;
import io.svcproxy.model.ClusterSnapshot;
import io.svcproxy.model.IpFamily;
import io.svcproxy.plan.IncrementalIptablesPlanner;
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
 * The pure core of one sync, step by step, at N services x 10 endpoints (IPv4, ClusterIP): fabric8
 * objects -> snapshot, snapshot -> plan, plan vs kernel state -> change set (against an empty node
 * and, as a partial sync does, against the previous plan with one endpoint added), the payload
 * streamed out, and iptables-save text -> Ruleset. Run by {@link BenchMain}; not a unit test.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class CoreBenchmark {
    @Param({"1000"})
    public int services;

    List<Service> k8sServices;
    List<EndpointSlice> k8sSlices;
    PlannerOptions options;
    ClusterSnapshot snapshot;
    ClusterSnapshot oneEndpointMore;
    IptablesPlan plan;
    IptablesPlan planOneEndpointMore;
    Ruleset empty;
    ChangeSet fullChanges;
    ChangeSet oneEndpointChanges;
    String saveText;
    // The daemon's incremental path (partialSyncOneEndpoint): planner, last plan, remembered state.
    IncrementalIptablesPlanner incremental;
    IptablesPlan incrementalLast;
    Ruleset incrementalKnown;
    boolean incrementalPlus;
    // The source's incremental rebuild (snapshotOneSliceChanged): two versions of one slice, alternated.
    SnapshotBuilder sourceBuilder;
    List<EndpointSlice> slicesA;
    List<EndpointSlice> slicesB;
    boolean sourceB;

    @Setup(Level.Trial)
    public void setUp() {
        k8sServices = BenchCluster.services(services);
        k8sSlices = BenchCluster.slices(services);
        options = PlannerOptions.defaults(IpFamily.V4, BenchCluster.NODE);
        snapshot = SnapshotBuilder.build(k8sServices, k8sSlices, Optional.empty(), BenchCluster.NODE);
        if (snapshot.services().size() != services || !snapshot.warnings().isEmpty()) {
            throw new IllegalStateException("generated cluster did not convert cleanly: " + snapshot.warnings());
        }
        oneEndpointMore = BenchCluster.withExtraEndpoint(snapshot, BenchCluster.name(services / 2), 0);
        plan = IptablesPlanner.plan(snapshot, options);
        planOneEndpointMore = IptablesPlanner.plan(oneEndpointMore, options);
        empty = Ruleset.empty(IpFamily.V4);
        fullChanges = RulesetDiff.diff(empty, plan);
        oneEndpointChanges = RulesetDiff.diff(plan.desired(), planOneEndpointMore);
        saveText = SaveWriter.toText(plan.desired());

        incremental = new IncrementalIptablesPlanner();
        incrementalLast = incremental.plan(snapshot, options);
        incrementalKnown = RulesetDiff.apply(empty, RulesetDiff.diff(empty, incrementalLast));
        sourceBuilder = new SnapshotBuilder();
        slicesA = new ArrayList<>(k8sSlices);
        slicesB = new ArrayList<>(k8sSlices);
        int middle = services / 2;
        slicesB.set(middle, new EndpointSliceBuilder(k8sSlices.get(middle)).editFirstEndpoint()
                .withAddresses(BenchCluster.extraEndpoint(0).ip().getHostAddress()).endEndpoint().build());
        sourceBuilder.rebuild(k8sServices, slicesA, Optional.empty(), BenchCluster.NODE, List.of());
    }

    /**
     * The daemon's partial sync, all of its compute, for one endpoint added to (then removed from, on
     * alternate calls) one service: incremental plan, diff of the chains the plans do not share,
     * payload streamed out, remembered state updated.
     */
    @Benchmark
    public long partialSyncOneEndpoint() throws IOException {
        incrementalPlus = !incrementalPlus;
        IptablesPlan next = incremental.plan(incrementalPlus ? oneEndpointMore : snapshot, options);
        PlanDelta delta = PlanDelta.between(incrementalLast, next).orElseThrow();
        ChangeSet changes = RulesetDiff.diff(incrementalKnown, next, delta);
        CountingSink sink = new CountingSink();
        changes.writeTo(sink);
        incrementalKnown = RulesetDiff.apply(incrementalKnown, changes);
        incrementalLast = next;
        return sink.count;
    }

    /** The source after one EndpointSlice changed (alternating two versions): only that slice is converted. */
    @Benchmark
    public ClusterSnapshot snapshotOneSliceChanged() {
        sourceB = !sourceB;
        return sourceBuilder.rebuild(k8sServices, sourceB ? slicesB : slicesA, Optional.empty(), BenchCluster.NODE,
                List.of());
    }

    /** fabric8 Services + EndpointSlices -> ClusterSnapshot (what every sync starts from). */
    @Benchmark
    public ClusterSnapshot snapshotFromObjects() {
        return SnapshotBuilder.build(k8sServices, k8sSlices, Optional.empty(), BenchCluster.NODE);
    }

    /** ClusterSnapshot -> the complete desired ruleset (IptablesPlanner.plan). */
    @Benchmark
    public IptablesPlan render() {
        return IptablesPlanner.plan(snapshot, options);
    }

    /** First sync: diff of the whole plan against an empty node. */
    @Benchmark
    public ChangeSet diffAgainstEmpty() {
        return RulesetDiff.diff(empty, plan);
    }

    /** Partial sync: diff against the previous plan with one endpoint added to one service. */
    @Benchmark
    public ChangeSet diffOneEndpoint() {
        return RulesetDiff.diff(plan.desired(), planOneEndpointMore);
    }

    /** A partial sync's compute: render the new snapshot, then diff against the previous plan. */
    @Benchmark
    public ChangeSet renderAndDiffOneEndpoint() {
        return RulesetDiff.diff(plan.desired(), IptablesPlanner.plan(oneEndpointMore, options));
    }

    /**
     * What IptablesSyncer does after each write to remember the kernel state without iptables-save:
     * RulesetDiff.apply (the in-memory iptables-restore) of the one-endpoint change on the previous state.
     */
    @Benchmark
    public Ruleset rememberStateOneEndpoint() {
        return RulesetDiff.apply(plan.desired(), oneEndpointChanges);
    }

    /** Streams the first sync's --noflush payload into a counting sink. */
    @Benchmark
    public long payloadFull() throws IOException {
        CountingSink sink = new CountingSink();
        fullChanges.writeTo(sink);
        return sink.count;
    }

    /** Streams the one-endpoint partial payload into a counting sink. */
    @Benchmark
    public long payloadOneEndpoint() throws IOException {
        CountingSink sink = new CountingSink();
        oneEndpointChanges.writeTo(sink);
        return sink.count;
    }

    /** Streams the complete (flushing) payload of the plan, the floor's input, into a counting sink. */
    @Benchmark
    public long payloadComplete() throws IOException {
        CountingSink sink = new CountingSink();
        CompletePayload.write(plan, sink);
        return sink.count;
    }

    /** iptables-save text of the whole ruleset -> Ruleset (the verification read's parsing half). */
    @Benchmark
    public Ruleset parseSave() {
        return SaveParser.parse(IpFamily.V4, saveText);
    }

    /** Counts characters, keeps none: the payload's cost without the pipe's. */
    static final class CountingSink implements Appendable {
        long count;

        @Override
        public Appendable append(CharSequence csq) {
            count += csq.length();
            return this;
        }

        @Override
        public Appendable append(CharSequence csq, int start, int end) {
            count += end - start;
            return this;
        }

        @Override
        public Appendable append(char c) {
            count++;
            return this;
        }
    }
}
