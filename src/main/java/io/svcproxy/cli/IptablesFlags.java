package io.svcproxy.cli;

import io.svcproxy.diff.BatchPolicy;
import picocli.CommandLine.Option;

/** The daemon's flags of the iptables side (iptables mode, and IPVS mode's glue rules). */
public final class IptablesFlags {

    @Option(names = "--iptables-backend", defaultValue = "auto", paramLabel = "auto|nft|legacy",
            description = "iptables backend. Default: ${DEFAULT-VALUE} (the one holding the node's rules).")
    String backend;

    @Option(names = "--iptables-batch-services", defaultValue = "auto", paramLabel = "auto|N",
            description = "Size of the batches a large sync stages its new chains in: 'auto' bounds each "
                    + "iptables-restore by new chains, per backend (nft " + BatchPolicy.NFT_CHAINS + ", legacy "
                    + BatchPolicy.LEGACY_CHAINS + "); N puts at most N services in each. Default: ${DEFAULT-VALUE}.")
    String batchServices;

    /** Refuses a malformed value before anything touches the node. */
    void validate() {
        fixedBatches();
    }

    /** --iptables-batch-services: null for "auto" (the backend's chain budget), else N services per batch. */
    BatchPolicy fixedBatches() {
        if ("auto".equals(batchServices)) {
            return null;
        }
        int n;
        try {
            n = Integer.parseInt(batchServices);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--iptables-batch-services must be 'auto' or a number, not '"
                    + batchServices + "'");
        }
        if (n < 1) {
            throw new IllegalArgumentException("--iptables-batch-services must be at least 1");
        }
        return BatchPolicy.services(n);
    }
}
