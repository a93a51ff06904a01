package io.svcproxy.cli;

import io.svcproxy.config.ConfigException;
import io.svcproxy.config.GoDuration;
import io.svcproxy.config.ProxyConfig;
import io.svcproxy.config.ProxyMode;
import io.svcproxy.model.Cidr;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** kube-proxy's --ipvs-* flags for `svcproxy run`; each overrides the --config file's ipvs.* field. */
public final class IpvsFlags {

    @Option(names = "--ipvs-scheduler", paramLabel = "NAME",
            description = "IPVS scheduler (rr, wrr, lc, wlc, lblc, lblcr, sh, dh, sed, nq, mh, ...). Default: rr.")
    String scheduler;

    @Option(names = "--ipvs-sync-period", paramLabel = "DURATION",
            description = "In IPVS mode, the same as --sync-period (kube-proxy's name).")
    String syncPeriod;

    @Option(names = "--ipvs-min-sync-period", paramLabel = "DURATION",
            description = "In IPVS mode, the same as --min-sync-period (kube-proxy's name).")
    String minSyncPeriod;

    @Option(names = "--ipvs-exclude-cidrs", split = ",", paramLabel = "CIDR",
            description = "IPVS services on addresses in these CIDRs are never deleted (comma-separated).")
    List<String> excludeCidrs;

    @Option(names = "--ipvs-strict-arp", arity = "0..1", paramLabel = "BOOL",
            description = "Set net.ipv4.conf.all.arp_ignore=1 and arp_announce=2. Default: false.")
    Boolean strictArp;

    @Option(names = "--ipvs-tcp-timeout", paramLabel = "DURATION",
            description = "IPVS timeout for idle TCP connections (0s leaves the kernel's). Default: 0s.")
    String tcpTimeout;

    @Option(names = "--ipvs-tcpfin-timeout", paramLabel = "DURATION",
            description = "IPVS timeout for TCP connections after FIN (0s leaves the kernel's). Default: 0s.")
    String tcpFinTimeout;

    @Option(names = "--ipvs-udp-timeout", paramLabel = "DURATION",
            description = "IPVS timeout for UDP packets (0s leaves the kernel's). Default: 0s.")
    String udpTimeout;

    /** --ipvs-sync-period and --ipvs-min-sync-period, which (as in kube-proxy) count only in IPVS mode. */
    void applyPeriods(ProxyConfig.Builder b, ProxyMode mode) {
        if (mode != ProxyMode.IPVS) {
            return;
        }
        if (syncPeriod != null) {
            b.syncPeriod(duration("--ipvs-sync-period", syncPeriod));
        }
        if (minSyncPeriod != null) {
            b.minSyncPeriod(duration("--ipvs-min-sync-period", minSyncPeriod));
        }
    }

    /** The configuration's ipvs section with these flags on top. */
    ProxyConfig.Ipvs apply(ProxyConfig.Ipvs base) {
        ProxyConfig.Ipvs out = base;
        if (scheduler != null) {
            out = out.withScheduler(scheduler);
        }
        if (excludeCidrs != null) {
            out = out.withExcludeCidrs(cidrs("--ipvs-exclude-cidrs", excludeCidrs));
        }
        if (strictArp != null) {
            out = out.withStrictArp(strictArp);
        }
        out = out.withTimeouts(
                tcpTimeout != null ? duration("--ipvs-tcp-timeout", tcpTimeout) : out.tcpTimeout(),
                tcpFinTimeout != null ? duration("--ipvs-tcpfin-timeout", tcpFinTimeout) : out.tcpFinTimeout(),
                udpTimeout != null ? duration("--ipvs-udp-timeout", udpTimeout) : out.udpTimeout());
        return out;
    }

    /** A CIDR list flag's values (blank ones skipped). */
    static List<Cidr> cidrs(String flag, List<String> values) {
        List<Cidr> cidrs = new ArrayList<>();
        for (String c : values) {
            if (!c.isBlank()) {
                try {
                    cidrs.add(Cidr.parse(c.trim()));
                } catch (IllegalArgumentException e) {
                    throw new ConfigException(flag + ": " + e.getMessage(), e);
                }
            }
        }
        return cidrs;
    }

    static Duration duration(String flag, String text) {
        try {
            return GoDuration.parse(text);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(flag + ": " + e.getMessage(), e);
        }
    }
}
