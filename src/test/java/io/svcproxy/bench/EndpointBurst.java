package io.svcproxy.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;

/**
 * A burst of endpoint changes at a steady rate (one EndpointSlice written per change: one endpoint
 * of a different service each time replaced by a new address), while the node's rules are read in a
 * loop, every pending change checked against each read: one whole dump, or (iptables modes) the
 * pending changes' own chains in one batch when that is cheaper (at 1000 services on nft a whole
 * iptables-nft-save took seconds, one chain ~80 ms: measured on a loaded machine). A change's latency is
 * from its write returning to the end of the first dump holding its new DNAT (an upper bound: the
 * read interval is printed beside it as the resolution). A change whose service is written again
 * before it was seen is superseded (its address is gone from the wanted state) and not counted.
 * nftables mode reads no dumps: {@link NftEvents} times each DNAT as the kernel notifies its commit
 * (the latency ends when the notification arrived; its resolution is event delivery).
 */
final class EndpointBurst {
    /** What one burst measured. */
    record Result(List<Double> latencies, int written, int superseded, int unseen, double seconds,
                  List<Double> readIntervals, List<Double> writeSeconds, int dumpReads, int chainReads) {
        double achievedRate() {
            return seconds > 0 ? written / seconds : 0;
        }
    }

    /** The endpoint chain (kube-proxy's name) holding a pending change's DNAT. */
    private String chainOf(Pending p) {
        return kernel.mode().endpointChain(BenchCluster.name(p.service()), p.ip());
    }

    /** Concurrent API writes at most. */
    static final int WRITERS = 8;

    private record Pending(int change, int service, String ip, long returnedNanos) {
    }

    private final BenchApiServer api;
    private final NodeKernel kernel;
    private final List<Integer> services;
    private final List<List<String>> endpoints;
    private final IntFunction<String> freshAddress;
    private final NftEvents monitor;
    private double dumpCost;
    private double chainCost;
    private int dumpReads;
    private int chainReads;

    /**
     * services: the services changed, in turn; endpoints: each service's current endpoint addresses
     * (changed in place as the burst writes); freshAddress: an address no endpoint has had yet,
     * distinct per change number.
     */
    EndpointBurst(BenchApiServer api, NodeKernel kernel, List<Integer> services, List<List<String>> endpoints,
                  IntFunction<String> freshAddress) {
        this(api, kernel, services, endpoints, freshAddress, null);
    }

    /** As above; with a monitor (nftables mode), changes are seen in its events instead of in reads. */
    EndpointBurst(BenchApiServer api, NodeKernel kernel, List<Integer> services, List<List<String>> endpoints,
                  IntFunction<String> freshAddress, NftEvents monitor) {
        this.monitor = monitor;
        this.api = api;
        this.kernel = kernel;
        this.services = List.copyOf(services);
        this.endpoints = endpoints;
        this.freshAddress = freshAddress;
    }

    /**
     * One read of the rules, the cheaper kind for what is pending (its own chains, or one whole dump),
     * every pending change it shows taken off; returns when the read ended.
     */
    private long readOnce(List<Pending> wanted, Map<Integer, Pending> pending, Map<Integer, Integer> pendingByService,
                          List<Double> latencies, List<Double> intervals, long previousRead) {
        boolean byChain = kernel.readsChains() && !wanted.isEmpty()
                && wanted.size() * chainCost < dumpCost;
        NodeKernel.Dump d = byChain ? kernel.chains(wanted.stream().map(this::chainOf).toList()) : kernel.dump();
        double took = (d.endNanos() - d.startNanos()) / 1e9;
        if (byChain) {
            chainCost = 0.7 * chainCost + 0.3 * took / wanted.size();
            chainReads++;
        } else {
            dumpCost = 0.7 * dumpCost + 0.3 * took;
            dumpReads++;
        }
        intervals.add((d.endNanos() - previousRead) / 1e9);
        synchronized (pending) {
            for (var it = pending.entrySet().iterator(); it.hasNext(); ) {
                Pending p = it.next().getValue();
                // Only a change written before this dump started can be in it.
                if (p.returnedNanos() <= d.startNanos() && d.rules().hasDestination(p.ip(), 8080)) {
                    latencies.add((d.endNanos() - p.returnedNanos()) / 1e9);
                    pendingByService.remove(p.service(), p.change());
                    it.remove();
                }
            }
        }
        return d.endNanos();
    }

    /** rate changes per second for the duration, then reads until all are seen or the bound after the last write. */
    Result run(double rate, Duration duration, Duration settle, long gapMillis) throws InterruptedException {
        int total = Math.max(1, (int) Math.round(rate * duration.toNanos() / 1e9));
        Map<Integer, Pending> pending = new ConcurrentHashMap<>();
        Map<Integer, Integer> pendingByService = new ConcurrentHashMap<>();
        List<Double> latencies = Collections.synchronizedList(new ArrayList<>());
        List<Double> writeSeconds = Collections.synchronizedList(new ArrayList<>());
        int[] superseded = {0};
        AtomicReference<Throwable> writerFailure = new AtomicReference<>();
        if (monitor == null && kernel.readsChains()) {
            // What each kind of read costs at this size (before the burst), so each round picks the cheaper.
            NodeKernel.Dump whole = kernel.dump();
            dumpCost = (whole.endNanos() - whole.startNanos()) / 1e9;
            int s0 = services.get(0);
            NodeKernel.Dump one = kernel.chains(List.of(chainOf(new Pending(-1, s0, endpoints.get(s0).get(0), 0))));
            chainCost = (one.endNanos() - one.startNanos()) / 1e9;
        }
        long start = System.nanoTime();
        long[] end = {0};
        // Writes go out on a small pool: one write takes tens of ms on the mock server (more at 10000
        // objects), so one writer thread alone could not keep 100 changes per second.
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(WRITERS, r -> {
            Thread t = new Thread(r, "burst-write");
            t.setDaemon(true);
            return t;
        });
        Thread writer = new Thread(() -> {
            try {
                for (int i = 0; i < total && writerFailure.get() == null; i++) {
                    long due = start + (long) (i * 1e9 / rate);
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(wait);
                    }
                    int change = i;
                    int s = services.get(i % services.size());
                    List<String> eps = endpoints.get(s);
                    String ip = freshAddress.apply(i);
                    eps.set((i / services.size()) % eps.size(), ip);
                    List<String> written = List.copyOf(eps);
                    pool.execute(() -> {
                        try {
                            long before = System.nanoTime();
                            api.writeSlice(s, written, false);
                            long returned = System.nanoTime();
                            writeSeconds.add((returned - before) / 1e9);
                            synchronized (pending) {
                                Integer earlier = pendingByService.put(s, change);
                                if (earlier != null && pending.remove(earlier) != null) {
                                    superseded[0]++;
                                }
                                pending.put(change, new Pending(change, s, ip, returned));
                            }
                        } catch (Throwable t) {
                            writerFailure.compareAndSet(null, t);
                        }
                    });
                }
                pool.shutdown();
                if (!pool.awaitTermination(duration.toSeconds() + 120, java.util.concurrent.TimeUnit.SECONDS)) {
                    writerFailure.compareAndSet(null, new IllegalStateException("burst writes did not finish"));
                }
            } catch (Throwable t) {
                writerFailure.compareAndSet(null, t);
            } finally {
                pool.shutdownNow();
                end[0] = System.nanoTime();
            }
        }, "burst-writer");
        writer.setDaemon(true);
        writer.start();
        List<Double> intervals = new ArrayList<>();
        long previousRead = start;
        long deadline = start + duration.toNanos() + settle.toNanos();
        while (true) {
            boolean writing = writer.isAlive();
            if (monitor != null) {
                synchronized (pending) {
                    for (var it = pending.entrySet().iterator(); it.hasNext(); ) {
                        Pending p = it.next().getValue();
                        java.util.OptionalLong at = monitor.firstSeen(p.ip());
                        if (at.isPresent()) {
                            // The proxy's watch can hear of a write before the writer hears back: 0, not negative.
                            latencies.add(Math.max(0, at.getAsLong() - p.returnedNanos()) / 1e9);
                            pendingByService.remove(p.service(), p.change());
                            it.remove();
                        }
                    }
                }
            } else {
                List<Pending> wanted;
                synchronized (pending) {
                    wanted = List.copyOf(pending.values());
                }
                previousRead = readOnce(wanted, pending, pendingByService, latencies, intervals, previousRead);
            }
            if (!writing && pending.isEmpty()) {
                break;
            }
            if (System.nanoTime() > deadline) {
                break;
            }
            LockSupport.parkNanos(gapMillis * 1_000_000L);
        }
        writer.join(Duration.ofSeconds(30).toMillis());
        if (writerFailure.get() != null) {
            throw new IllegalStateException("burst writer failed", writerFailure.get());
        }
        long stop = end[0] == 0 ? System.nanoTime() : end[0];
        return new Result(new ArrayList<>(latencies), total, superseded[0], pending.size(), (stop - start) / 1e9,
                intervals, new ArrayList<>(writeSeconds), dumpReads, chainReads);
    }
}
