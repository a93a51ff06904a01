package io.svcproxy.apply.sysctl;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * The kernel settings kube-proxy's iptables mode relies on: route_localnet for localhost NodePorts,
 * conntrack table size and TCP timeouts, and a check that forwarding is on. Each change is logged
 * once with old -> new; a missing key (module not loaded, read-only in a namespace) is a warning,
 * never a failure, since the rules still work, only less well. Keys in {@code skip} are not touched
 * (for operators who manage them elsewhere).
 */
public final class NodeSysctls {
    private static final Logger LOG = LoggerFactory.getLogger(NodeSysctls.class);

    public static final String ROUTE_LOCALNET = "net/ipv4/conf/all/route_localnet";
    public static final String CONNTRACK_MAX = "net/netfilter/nf_conntrack_max";
    public static final String TCP_TIMEOUT_ESTABLISHED = "net/netfilter/nf_conntrack_tcp_timeout_established";
    public static final String TCP_TIMEOUT_CLOSE_WAIT = "net/netfilter/nf_conntrack_tcp_timeout_close_wait";
    public static final String IP_FORWARD = "net/ipv4/ip_forward";
    public static final String TCP_BE_LIBERAL = "net/netfilter/nf_conntrack_tcp_be_liberal";

    public static final String VS_CONNTRACK = "net/ipv4/vs/conntrack";
    public static final String VS_CONN_REUSE_MODE = "net/ipv4/vs/conn_reuse_mode";
    public static final String VS_EXPIRE_NODEST_CONN = "net/ipv4/vs/expire_nodest_conn";
    public static final String VS_EXPIRE_QUIESCENT_TEMPLATE = "net/ipv4/vs/expire_quiescent_template";
    public static final String ARP_IGNORE = "net/ipv4/conf/all/arp_ignore";
    public static final String ARP_ANNOUNCE = "net/ipv4/conf/all/arp_announce";
    public static final String OS_RELEASE = "kernel/osrelease";

    private final SysctlAccess sysctl;
    private final Set<String> skip;
    private final ConntrackSysctlSettings conntrack;
    private final int cores;
    private final Set<String> reported = new HashSet<>();

    public NodeSysctls(SysctlAccess sysctl, Set<String> skip, ConntrackSysctlSettings conntrack, int cores) {
        this.sysctl = sysctl;
        this.skip = Set.copyOf(skip);
        this.conntrack = conntrack;
        this.cores = cores;
    }

    /** Applies everything; safe to call on every sync (unchanged values are not rewritten or logged again). */
    public void apply(boolean localhostNodePortsActive) {
        if (localhostNodePortsActive) {
            ensure(ROUTE_LOCALNET, 1, false);
        }
        long max = conntrack.conntrackMax(cores);
        if (max > 0) {
            ensure(CONNTRACK_MAX, max, true);
        }
        if (conntrack.tcpEstablishedTimeoutSeconds() > 0) {
            ensure(TCP_TIMEOUT_ESTABLISHED, conntrack.tcpEstablishedTimeoutSeconds(), false);
        }
        if (conntrack.tcpCloseWaitTimeoutSeconds() > 0) {
            ensure(TCP_TIMEOUT_CLOSE_WAIT, conntrack.tcpCloseWaitTimeoutSeconds(), false);
        }
        checkForwarding();
    }

    /**
     * IPVS mode's settings, as kube-proxy's IPVS proxier sets them: vs/conntrack=1 (the glue's
     * masquerading needs conntrack on IPVS connections), expire_nodest_conn=1 and
     * expire_quiescent_template=1 (connections to a deleted or drained destination end instead of
     * hanging), conn_reuse_mode=0 only on kernels 4.1 to 5.8 (5.9 fixed the 1 s reuse delay; kube-proxy
     * leaves it alone there), and with strict ARP arp_ignore=1, arp_announce=2 (the VIPs on kube-ipvs0
     * are not answered for on other interfaces). Each is logged and skippable like the others.
     */
    public void applyIpvs(boolean strictArp) {
        ensure(VS_CONNTRACK, 1, false);
        int[] version = kernelVersion();
        if (version == null || compare(version, 4, 1) < 0) {
            warnOnce(VS_CONN_REUSE_MODE, "not setting sysctl {}: {}", "kernel version "
                    + (version == null ? "unknown" : version[0] + "." + version[1]) + " (needs 4.1 or later)");
        } else if (compare(version, 5, 9) < 0) {
            ensure(VS_CONN_REUSE_MODE, 0, false);
        } else if (reported.add(VS_CONN_REUSE_MODE)) {
            LOG.info("sysctl {} left as it is (kernel {}.{} >= 5.9)", VS_CONN_REUSE_MODE, version[0], version[1]);
        }
        ensure(VS_EXPIRE_NODEST_CONN, 1, false);
        ensure(VS_EXPIRE_QUIESCENT_TEMPLATE, 1, false);
        if (strictArp) {
            ensure(ARP_IGNORE, 1, false);
            ensure(ARP_ANNOUNCE, 2, false);
        }
        checkForwarding();
    }

    /** "6.1.0-26-amd64" -> {6, 1}; null when unknown. */
    int[] kernelVersion() {
        try {
            return sysctl.read(OS_RELEASE).map(v -> {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("^(\\d+)\\.(\\d+)").matcher(v.trim());
                return m.find() ? new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))} : null;
            }).orElse(null);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static int compare(int[] v, int major, int minor) {
        return v[0] != major ? Integer.compare(v[0], major) : Integer.compare(v[1], minor);
    }

    /** nf_conntrack_tcp_be_liberal is set (the planner then needs no INVALID-drop rule); missing = false. */
    public boolean tcpBeLiberal() {
        try {
            return readLong(TCP_BE_LIBERAL).map(v -> v != 0).orElse(false);
        } catch (SysctlException e) {
            warnOnce(TCP_BE_LIBERAL, "cannot read sysctl {}: {}", e.getMessage());
            return false;
        }
    }

    private void checkForwarding() {
        if (skip.contains(IP_FORWARD)) {
            return;
        }
        Optional<Long> forward;
        try {
            forward = readLong(IP_FORWARD);
        } catch (SysctlException e) {
            warnOnce(IP_FORWARD, "cannot read sysctl {}: {}", e.getMessage());
            return;
        }
        if (forward.isPresent() && forward.get() != 1 && reported.add(IP_FORWARD)) {
            LOG.warn("sysctl {} is {}: this node will not forward service traffic to other nodes' endpoints",
                    IP_FORWARD, forward.get());
        }
    }

    /** Sets key to value (or, when {@code onlyRaise}, to at least value). */
    private void ensure(String key, long value, boolean onlyRaise) {
        if (skip.contains(key)) {
            return;
        }
        Optional<Long> current;
        try {
            current = readLong(key);
        } catch (SysctlException e) {
            warnOnce(key, "cannot read sysctl {}: {}", e.getMessage());
            return;
        }
        if (current.isEmpty()) {
            warnOnce(key, "sysctl {} does not exist ({}); leaving it", "module not loaded?");
            return;
        }
        long old = current.get();
        if (old == value || (onlyRaise && old > value)) {
            return;
        }
        try {
            sysctl.write(key, Long.toString(value));
            LOG.info("sysctl {}: {} -> {}", key, old, value);
        } catch (SysctlException e) {
            warnOnce(key, "cannot set sysctl {}: {}", e.getMessage());
        }
    }

    private void warnOnce(String key, String format, String detail) {
        if (reported.add(key)) {
            LOG.warn(format, key, detail);
        }
    }

    private Optional<Long> readLong(String key) {
        return sysctl.read(key).map(v -> {
            try {
                return Long.parseLong(v.trim());
            } catch (NumberFormatException e) {
                throw new SysctlException("sysctl " + key + " is not a number: '" + v + "'", e);
            }
        });
    }
}
