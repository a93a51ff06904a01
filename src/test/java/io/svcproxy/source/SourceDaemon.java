package io.svcproxy.source;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.svcproxy.apply.FakeIptables;
import io.svcproxy.apply.IptablesBackend;
import io.svcproxy.apply.IptablesSyncer;
import io.svcproxy.iptables.SaveWriter;
import io.svcproxy.model.ClusterSnapshot;
import io.svcproxy.model.IpFamily;
import io.svcproxy.plan.IncrementalIptablesPlanner;
import io.svcproxy.plan.PlannerOptions;
import io.svcproxy.apply.IptablesDataplane;
import io.svcproxy.reconcile.SyncLoop;
import io.svcproxy.reconcile.SyncObserver;
import io.svcproxy.dataplane.SyncReport;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The daemon's wiring of the API source as {@code svcproxy run} does it (source, sync loop with its
 * relist hook, planner, syncer) over a faithful in-memory iptables ({@link FakeIptables}, the strict
 * restore simulator), so a test sees every sync and every ruleset the node would have had.
 */
final class SourceDaemon implements AutoCloseable {
    static final String NODE = "node-a";

    final ApiSnapshotSource source;
    final FakeIptables kernel = new FakeIptables();
    final SyncLoop loop;
    /** The snapshot of every successful sync, in order. */
    final List<ClusterSnapshot> syncs = new CopyOnWriteArrayList<>();
    /** The node's rules right after each successful sync (what traffic would have met). */
    final List<String> rulesAfterSync = new CopyOnWriteArrayList<>();
    final List<Throwable> failures = new CopyOnWriteArrayList<>();
    /** How often the source asked for a sync (its change listener). */
    final AtomicInteger syncRequests = new AtomicInteger();
    private final Thread thread;

    /** Connects to {@code url} with the product's client settings; {@code tune} may shorten its intervals. */
    SourceDaemon(String url, long probeMillis, Consumer<Config> tune) {
        Config config = KubeClientFactory.config(new ApiConnection("", url));
        tune.accept(config);
        ApiRefusals refusals = new ApiRefusals();
        KubernetesClient client = KubeClientFactory.create(config, refusals);
        source = new ApiSnapshotSource(client, true, NODE, probeMillis, refusals);
        PlannerOptions options = PlannerOptions.defaults(IpFamily.V4, NODE);
        IncrementalIptablesPlanner planner = new IncrementalIptablesPlanner();
        IptablesSyncer syncer = new IptablesSyncer(IpFamily.V4, kernel, names -> { }, IptablesBackend.NFT.batchPolicy());
        IptablesDataplane proxy = new IptablesDataplane(source, (snapshot, family) -> planner.plan(snapshot, options),
                List.of(syncer), filters -> 0, (a, b) -> List.of());
        loop = new SyncLoop(proxy, Duration.ofMillis(100), Duration.ofHours(1), Duration.ofHours(1));
        loop.setObserver(new SyncObserver() {
            @Override
            public void syncSucceeded(SyncReport report) {
                rulesAfterSync.add(rules());
                syncs.add(report.snapshot());
            }

            @Override
            public void syncFailed(Throwable error) {
                failures.add(error);
            }
        });
        source.onRelisted(() -> {
            loop.requestFullSync();
            loop.requestSync();
        });
        // As RunCommand: the loop runs only once the source has its initial lists.
        thread = new Thread(() -> {
            try {
                source.start(() -> {
                    syncRequests.incrementAndGet();
                    loop.requestSync();
                });
            } catch (SourceException e) {
                return; // closed before the initial lists
            }
            loop.run();
        }, "source-daemon");
        thread.setDaemon(true);
        thread.start();
    }

    SourceDaemon(String url) {
        this(url, 100, c -> { });
    }

    /** The node's IPv4 rules as iptables-save would print them. */
    String rules() {
        return SaveWriter.toText(kernel.state(IpFamily.V4));
    }

    ClusterSnapshot lastSync() {
        return syncs.isEmpty() ? null : syncs.get(syncs.size() - 1);
    }

    static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        await(what, Duration.ofSeconds(30), condition);
    }

    @Override
    public void close() throws InterruptedException {
        loop.stop();
        source.close();
        thread.join(10_000);
    }
}
