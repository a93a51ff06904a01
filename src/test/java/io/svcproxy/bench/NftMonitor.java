package io.svcproxy.bench;

import io.svcproxy.testing.NetNs;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * nftables mode's burst reads: {@code nft monitor new} in the node namespace, every added rule timed
 * as its event arrives. Polling chains cannot keep up at 10,000 services (one chain with its DNAT map
 * is several netlink requests; hundreds are pending during a burst, on a machine whose cores the proxy
 * and the API server also use); the kernel's own notifications cost nothing per pending change, and
 * nft prints a rule with its anonymous DNAT map resolved, so "ADDR . PORT" in an added rule is the
 * DNAT to that endpoint being in the kernel. Output is line-buffered (stdbuf) so a line is read when
 * nft prints it, not when a pipe buffer fills.
 */
final class NftMonitor implements AutoCloseable {
    /** "10.244.1.5 . 8080" in a DNAT map element. */
    private static final Pattern DESTINATION = Pattern.compile("(\\d{1,3}(?:\\.\\d{1,3}){3}) \\. (\\d{1,5})\\b");
    private static final String PROBE = "svcp-bench-monitor-probe";
    /** nft loads its whole cache first: at 10,000 services that is a dump of every chain, set and element. */
    static final Duration READY_BOUND = Duration.ofMinutes(5);

    private final NetNs ns;
    private final Process process;
    private final Map<String, Long> firstSeen = new ConcurrentHashMap<>();
    private final Thread reader;
    private volatile boolean probed;
    private volatile long rules;

    private NftMonitor(NetNs ns, Process process) {
        this.ns = ns;
        this.process = process;
        this.reader = new Thread(this::read, "nft-monitor");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts the monitor and returns once it prints events (a probe table added and deleted shows it). */
    static NftMonitor start(NetNs ns) throws InterruptedException {
        long t0 = System.nanoTime();
        NftMonitor m = startUnlogged(ns);
        System.err.println("[EndToEndBench] nft monitor ready after " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        return m;
    }

    private static NftMonitor startUnlogged(NetNs ns) throws InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("ip", "netns", "exec", ns.name(), "stdbuf", "-oL", "nft", "monitor", "new");
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start nft monitor: " + e.getMessage(), e);
        }
        NftMonitor m = new NftMonitor(ns, p);
        try {
            m.awaitReady();
        } catch (RuntimeException | InterruptedException e) {
            m.close();
            throw e;
        }
        return m;
    }

    /** nft loads its cache before it prints: a probe table is added (and deleted) until its event is printed. */
    private void awaitReady() throws InterruptedException {
        long deadline = System.nanoTime() + READY_BOUND.toNanos();
        while (!probed) {
            if (!process.isAlive()) {
                throw new IllegalStateException("nft monitor exited " + process.exitValue());
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("nft monitor printed nothing within " + READY_BOUND);
            }
            // Added and deleted each round: adding a table that is there already is no event.
            nft("add table ip " + PROBE);
            nft("delete table ip " + PROBE);
            Thread.sleep(500);
        }
    }

    private void nft(String command) {
        io.svcproxy.testing.topology.Exec.run(io.svcproxy.testing.topology.Exec.in(ns.name(),
                java.util.List.of("nft", command)), null, Duration.ofSeconds(30));
    }

    private void read() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                long at = System.nanoTime();
                if (line.startsWith("add rule ")) {
                    rules++;
                    Matcher m = DESTINATION.matcher(line);
                    while (m.find()) {
                        firstSeen.putIfAbsent(m.group(1) + ":" + m.group(2), at);
                    }
                } else if (line.startsWith("add table ip " + PROBE)) {
                    probed = true;
                }
            }
        } catch (IOException e) {
            // The process was closed: nothing more to read.
        }
    }

    /** When a rule with a DNAT to ip:port was first printed (System.nanoTime), if it was. */
    OptionalLong firstSeen(String ip, int port) {
        Long at = firstSeen.get(ip + ":" + port);
        return at == null ? OptionalLong.empty() : OptionalLong.of(at);
    }

    /** Rules added since the monitor started. */
    long rules() {
        return rules;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
            reader.join(5000);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
