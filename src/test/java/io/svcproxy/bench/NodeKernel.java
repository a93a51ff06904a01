package io.svcproxy.bench;

import io.svcproxy.testing.NetNs;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;

/**
 * Reads the rules of the node namespace from outside the proxy, as a person checking the node
 * would: a whole dump ({@link EndToEndMode#dumpArgv()}) or, where chains have kube-proxy's names,
 * one chain ({@code iptables -t nat -S CHAIN}, far cheaper at 10000 services). {@link #await} polls a
 * read in a loop bounded in time; the time a change became visible is the end of the first read that
 * showed it (an upper bound), and the interval since the read before is the measurement's resolution.
 * Closing it closes the netlink socket nftables mode's chain reads opened (one per run).
 */
final class NodeKernel implements AutoCloseable {
    /** One read at 10000 services on nft takes seconds (more on a busy machine): bounded, but not by NetNs's 30 s. */
    static final Duration READ_BOUND = Duration.ofMinutes(5);

    private final NetNs ns;
    private final EndToEndMode mode;
    /** nftables mode's chain reads: our netlink reader in the node namespace (in this process, not the proxy's). */
    private io.svcproxy.netlink.nftables.NetlinkNftKernel nft;

    NodeKernel(NetNs ns, EndToEndMode mode) {
        this.ns = ns;
        this.mode = mode;
    }

    /** One read's answer and when it finished (System.nanoTime). */
    record Reading(boolean yes, long endNanos) {
    }

    /** One read of the rules, asked a yes/no question. */
    @FunctionalInterface
    interface Check {
        Reading read();
    }

    /** When the answer first was yes: the end of that read, the interval since the previous read ended, how many reads. */
    record Seen(long atNanos, long intervalNanos, int reads) {
        double secondsSince(long startNanos) {
            return (atNanos - startNanos) / 1e9;
        }
    }

    /** The whole dump, tokenized, and when the read ended. */
    record Dump(KernelDump rules, long startNanos, long endNanos) {
    }

    Dump dump() {
        long start = System.nanoTime();
        NetNs.Result r = read(mode.dumpArgv());
        long end = System.nanoTime();
        // A table that does not exist yet (before the first sync) is an empty dump, not a failure.
        return new Dump(new KernelDump(r.exitCode() == 0 ? r.stdout() : ""), start, end);
    }

    /**
     * Several chains in one read (one namespace entry, one iptables run per chain, missing chains
     * print nothing), as one dump: the changes being waited for, where a whole dump costs more.
     */
    Dump chains(List<String> names) {
        if (mode == EndToEndMode.NFTABLES) {
            long start = System.nanoTime();
            StringBuilder text = new StringBuilder();
            for (String n : names) {
                chain(n).ifPresent(c -> text.append(c).append('\n'));
            }
            return new Dump(new KernelDump(text.toString()), start, System.nanoTime());
        }
        List<String> argv = new java.util.ArrayList<>(List.of("sh", "-c",
                "tool=$1; shift; for c in \"$@\"; do \"$tool\" -w -t nat -S \"$c\" 2>/dev/null; done; true", "sh",
                mode.chainArgv("X").orElseThrow().get(0)));
        argv.addAll(names);
        long start = System.nanoTime();
        NetNs.Result r = read(argv);
        long end = System.nanoTime();
        return new Dump(new KernelDump(r.exitCode() == 0 ? r.stdout() : ""), start, end);
    }

    private NetNs.Result read(List<String> argv) {
        return io.svcproxy.testing.topology.Exec.run(io.svcproxy.testing.topology.Exec.in(ns.name(), argv), null,
                READ_BOUND);
    }

    EndToEndMode mode() {
        return mode;
    }

    /** The node namespace read. */
    NetNs namespace() {
        return ns;
    }

    /** Whether this mode can read one chain by name. */
    boolean readsChains() {
        return mode.readsChains();
    }

    /** nftables: the elements of one map (nft lists a named map cheaply), or empty without the table. */
    Optional<String> map(String name) {
        NetNs.Result r = read(List.of("nft", "list", "map", "ip", "kube-proxy", name));
        return r.exitCode() == 0 ? Optional.of(r.stdout()) : Optional.empty();
    }

    /** The chain's rules as {@code iptables -S} prints them, or empty when the chain does not exist. */
    Optional<String> chain(String name) {
        if (mode == EndToEndMode.NFTABLES) {
            if (nft == null) {
                nft = io.svcproxy.netlink.nftables.NetlinkNftKernel.over(io.svcproxy.testing.NetnsSockets.netfilter(ns).get());
            }
            return nft.readChain(io.svcproxy.nftables.NftFamily.IP, "kube-proxy", name).map(c -> {
                StringBuilder sb = new StringBuilder();
                c.rules().forEach(r -> sb.append(io.svcproxy.plan.nftables.NftText.rule(r,
                        io.svcproxy.nftables.NftFamily.IP)).append('\n'));
                return sb.toString();
            });
        }
        List<String> argv = mode.chainArgv(name).orElseThrow(() -> new IllegalStateException(mode.label()
                + " has no chains by name"));
        NetNs.Result r = read(argv);
        return r.exitCode() == 0 ? Optional.of(r.stdout()) : Optional.empty();
    }

    /** Closes the netlink socket of the nftables chain reads, if one was opened; again is a no-op. */
    @Override
    public void close() {
        if (nft != null) {
            nft.close();
            nft = null;
        }
    }

    /**
     * Reads until the check says yes, at most until bound has passed since startNanos, with gapMillis
     * between reads (so the bench's own reads do not take a core away from the proxy).
     */
    static Seen await(String what, long startNanos, Check check, Duration bound, long gapMillis) {
        long deadline = startNanos + bound.toNanos();
        long previous = startNanos;
        for (int reads = 1; ; reads++) {
            Reading r = check.read();
            if (r.yes()) {
                return new Seen(r.endNanos(), r.endNanos() - previous, reads);
            }
            if (r.endNanos() > deadline) {
                throw new IllegalStateException(what + ": not seen in the kernel within " + bound + " (" + reads
                        + " reads)");
            }
            previous = r.endNanos();
            LockSupport.parkNanos(gapMillis * 1_000_000L);
        }
    }
}
