package io.svcproxy.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A proxy mode the end-to-end bench runs: the daemon flags that select it, how the node's rules are
 * read back (one whole dump, and where chains have kube-proxy's names, one chain), and whether it can
 * run here. The names are the report's "mode" column.
 */
public enum EndToEndMode {
    IPTABLES_NFT("iptables/nft", List.of("--proxy-mode", "iptables", "--iptables-backend", "nft"),
            List.of("iptables-nft-save", "-t", "nat"), "iptables-nft"),
    IPTABLES_LEGACY("iptables/legacy", List.of("--proxy-mode", "iptables", "--iptables-backend", "legacy"),
            List.of("iptables-legacy-save", "-t", "nat"), "iptables-legacy"),
    NFTABLES("nftables", List.of("--proxy-mode", "nftables"), List.of("nft", "list", "ruleset", "ip"), null),
    IPVS("ipvs", List.of("--proxy-mode", "ipvs"), List.of("ipvsadm", "-S", "-n"), null);

    private final String label;
    private final List<String> flags;
    private final List<String> dump;
    private final String chainTool;

    EndToEndMode(String label, List<String> flags, List<String> dump, String chainTool) {
        this.label = label;
        this.flags = flags;
        this.dump = dump;
        this.chainTool = chainTool;
    }

    public String label() {
        return label;
    }

    /** The daemon flags selecting this mode. */
    public List<String> flags() {
        return flags;
    }

    /** argv of one whole read of the rules this mode writes (nat table, nft ruleset, IPVS services). */
    public List<String> dumpArgv() {
        return dump;
    }

    /** argv listing one chain of the nat table, or empty when the mode has no kube-proxy chain names. */
    public Optional<List<String>> chainArgv(String chain) {
        return chainTool == null ? Optional.empty() : Optional.of(List.of(chainTool, "-w", "-t", "nat", "-S", chain));
    }

    /** Whether one chain can be read by name: iptables with its tool, nftables over netlink (nft lists the whole cache). */
    public boolean readsChains() {
        return chainTool != null || this == NFTABLES;
    }

    /** The chain whose rules show the DNAT to {@code ip}: the endpoint's KUBE-SEP chain, or nftables' service chain (its numgen map). */
    public String endpointChain(io.svcproxy.model.ServicePortName service, String ip) {
        if (this == NFTABLES) {
            return io.svcproxy.plan.nftables.NftNames.clusterChain(service);
        }
        return io.svcproxy.plan.ChainNames.endpoint(service, io.svcproxy.model.Endpoint.ready(
                io.svcproxy.model.Addresses.parseIp(ip), 8080, BenchCluster.NODE));
    }

    /** The service's own chain (KUBE-SVC-..., or nftables' service-...). */
    public String serviceChain(io.svcproxy.model.ServicePortName service) {
        return this == NFTABLES ? io.svcproxy.plan.nftables.NftNames.clusterChain(service)
                : io.svcproxy.plan.ChainNames.clusterPolicy(service);
    }

    public static EndToEndMode parse(String label) {
        for (EndToEndMode m : values()) {
            if (m.label.equals(label) || m.name().equalsIgnoreCase(label.replace('/', '_').replace('-', '_'))) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown mode '" + label + "' (iptables/nft, iptables/legacy, nftables, ipvs)");
    }

    /**
     * Why this mode cannot run on this host with this jar, or empty when it can. {@code runHelp} is
     * {@code svcproxy run --help} of the jar under test: a mode the jar does not offer yet is skipped,
     * and its rows appear by themselves once it does.
     */
    public Optional<String> unavailable(String runHelp) {
        return switch (this) {
            case IPTABLES_NFT, IPTABLES_LEGACY -> Optional.empty();
            case NFTABLES -> proxyModeValues(runHelp).contains("nftables") ? Optional.empty()
                    : Optional.of("nftables mode SKIPPED: `svcproxy run --help` offers no --proxy-mode nftables yet ("
                            + proxyModeValues(runHelp) + "); its rows appear once it does");
            case IPVS -> Files.exists(Path.of("/proc/net/ip_vs")) ? Optional.empty()
                    : Optional.of("ipvs mode SKIPPED: this host's kernel has no IPVS (no /proc/net/ip_vs); the only "
                            + "IPVS kernel here is the IPVS VM, emulated (QEMU TCG, 1 vCPU), where a JVM start, the API "
                            + "server and every kernel call run several times slower than on a node, so its end-to-end "
                            + "times would not be comparable with upstream's reference; the IPVS sync rows (g) measure "
                            + "IPVS inside the VM against the VM's own floor, and `make bench BENCH_E2E_IPVS_VM=1` runs "
                            + "these end-to-end rows in the VM, to compare IPVS with itself");
        };
    }

    /** The values the --proxy-mode option's help line names, e.g. "iptables|ipvs". */
    static String proxyModeValues(String runHelp) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("--proxy-mode[= ]([A-Za-z|]+)").matcher(runHelp);
        return m.find() ? m.group(1) : "";
    }
}
