package io.svcproxy.diff;

/**
 * How much one staging restore of a large sync may create: at most {@code maxServices} services and
 * {@code maxChains} new chains (a single service larger than the chain budget is written alone).
 * The chain count is what an iptables-nft-restore --noflush pays for superlinearly (every command
 * walks a sorted list of the chains the payload names), so it is the natural budget; a service count
 * is kept for a fixed, predictable split (--iptables-batch-services N).
 */
public record BatchPolicy(int maxServices, int maxChains) {
    /**
     * iptables-nft 1.8.9: the CPU per staged service is flat from about 300 to 1700 chains per batch
     * and grows beyond (quadratic list insertion); fewer, larger batches save process starts. The
     * 10000-service sweep (ScaleBench --sweep) had 500 / 1000 / 2000 / 4000 chains at 37 / 21 / 24 /
     * 28 s, the floor at 20 s.
     */
    public static final int NFT_CHAINS = 1000;
    /**
     * iptables-legacy-restore replaces (and the kernel re-checks) the whole table on every run, so
     * the number of runs matters: at 10000 services, batches of 25000 chains (7 runs) loaded as fast
     * as one payload, batches of 5000 (25 runs) about twice as slow. A bound still keeps each run, and
     * the host-wide xtables lock it holds, shorter than one giant payload.
     */
    public static final int LEGACY_CHAINS = 25000;

    public BatchPolicy {
        if (maxServices < 1 || maxChains < 1) {
            throw new IllegalArgumentException("batch bounds must be positive: " + maxServices + " services, "
                    + maxChains + " chains");
        }
    }

    /** At most {@code n} services per batch, whatever their size. */
    public static BatchPolicy services(int n) {
        return new BatchPolicy(n, Integer.MAX_VALUE);
    }

    /** At most {@code n} new chains per batch (whole services: a larger service goes alone). */
    public static BatchPolicy chains(int n) {
        return new BatchPolicy(Integer.MAX_VALUE, n);
    }

    /** True when a batch already holding {@code services} services and {@code chains} chains cannot take {@code more}. */
    boolean full(int services, int chains, int more) {
        return services > 0 && (services >= maxServices || (long) chains + more > maxChains);
    }

    @Override
    public String toString() {
        return maxServices == Integer.MAX_VALUE ? maxChains + " chains per batch"
                : maxChains == Integer.MAX_VALUE ? maxServices + " services per batch"
                : maxServices + " services or " + maxChains + " chains per batch";
    }
}
