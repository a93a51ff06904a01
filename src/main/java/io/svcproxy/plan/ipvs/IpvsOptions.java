package io.svcproxy.plan.ipvs;

import io.svcproxy.ipvs.VirtualServer;
import io.svcproxy.model.Cidr;
import io.svcproxy.plan.PlannerOptions;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * IPVS mode's options on top of the common {@link PlannerOptions} (kube-proxy's ipvs.* settings).
 *
 * @param scheduler       ipvs.scheduler; "" means rr
 * @param schedulerFlags  extra IP_VS_SVC_F_SCHED* bits ("flag-1", "flag-2", "flag-3", or the sh-/mh- names);
 *                        kube-proxy itself only sets the mh-port bit with "mh"
 * @param strictArp       ipvs.strictARP (sysctls arp_ignore=1, arp_announce=2; no effect on the plan)
 * @param tcpTimeout      ipvs.tcpTimeout, ZERO = keep the kernel's (applied at startup, not planned)
 * @param excludeCidrs    ipvs.excludeCIDRs: IPVS services on these addresses are never deleted
 */
public record IpvsOptions(PlannerOptions base, String scheduler, int schedulerFlags, boolean strictArp,
                          Duration tcpTimeout, Duration tcpFinTimeout, Duration udpTimeout, List<Cidr> excludeCidrs) {

    public static final Set<String> SCHEDULERS = Set.of("rr", "wrr", "lc", "wlc", "lblc", "lblcr", "sh", "dh", "sed",
            "nq", "mh", "fo", "ovf", "twos");

    /** IP_VS_SVC_F_PERSISTENT. */
    public static final int FLAG_PERSISTENT = 0x1;
    /** IP_VS_SVC_F_HASHED: set by the kernel on every service, never compared. */
    public static final int FLAG_HASHED = 0x2;
    /** IP_VS_SVC_F_SCHED1 (sh-fallback / mh-fallback). */
    public static final int FLAG_SCHED1 = 0x8;
    /** IP_VS_SVC_F_SCHED2 (sh-port / mh-port); kube-proxy's FlagSourceHash. */
    public static final int FLAG_SCHED2 = 0x10;
    /** IP_VS_SVC_F_SCHED3. */
    public static final int FLAG_SCHED3 = 0x20;

    public IpvsOptions {
        Objects.requireNonNull(base, "base");
        scheduler = scheduler == null || scheduler.isEmpty() ? "rr" : scheduler;
        if (!SCHEDULERS.contains(scheduler)) {
            throw new IllegalArgumentException("unknown IPVS scheduler '" + scheduler + "' (expected one of "
                    + String.join(", ", new java.util.TreeSet<>(SCHEDULERS)) + ")");
        }
        if ((schedulerFlags & ~(FLAG_SCHED1 | FLAG_SCHED2 | FLAG_SCHED3)) != 0) {
            throw new IllegalArgumentException("scheduler flags may only hold the SCHED1..3 bits");
        }
        tcpTimeout = nonNegative(tcpTimeout, "tcpTimeout");
        tcpFinTimeout = nonNegative(tcpFinTimeout, "tcpFinTimeout");
        udpTimeout = nonNegative(udpTimeout, "udpTimeout");
        excludeCidrs = excludeCidrs.stream().filter(c -> c.family() == base.family()).toList();
    }

    public static IpvsOptions defaults(PlannerOptions base) {
        return new IpvsOptions(base, "rr", 0, false, Duration.ZERO, Duration.ZERO, Duration.ZERO, List.of());
    }

    public IpvsOptions withScheduler(String name, int flags) {
        return new IpvsOptions(base, name, flags, strictArp, tcpTimeout, tcpFinTimeout, udpTimeout, excludeCidrs);
    }

    public IpvsOptions withExcludeCidrs(List<Cidr> cidrs) {
        return new IpvsOptions(base, scheduler, schedulerFlags, strictArp, tcpTimeout, tcpFinTimeout, udpTimeout, cidrs);
    }

    /** The flags every planned virtual server gets (persistence is added per service). */
    public int serviceFlags() {
        return schedulerFlags | ("mh".equals(scheduler) ? FLAG_SCHED2 : 0);
    }

    /** Persistence netmask, as kube-proxy's IPVS client sets it: 0xffffffff for IPv4, 128 for IPv6. */
    public int netmask() {
        return base.ipv6() ? 128 : 0xffffffff;
    }

    public boolean excluded(java.net.InetAddress address) {
        return excludeCidrs.stream().anyMatch(c -> c.contains(address));
    }

    /**
     * Parses scheduler flags: comma-separated "flag-1|flag-2|flag-3" or the ipvsadm names
     * "sh-fallback|mh-fallback" (flag-1), "sh-port|mh-port" (flag-2).
     */
    public static int parseFlags(String text) {
        int flags = 0;
        if (text == null || text.isBlank()) {
            return 0;
        }
        for (String part : text.split(",")) {
            switch (part.trim().toLowerCase(Locale.ROOT)) {
                case "flag-1": case "sh-fallback": case "mh-fallback": flags |= FLAG_SCHED1; break;
                case "flag-2": case "sh-port": case "mh-port": flags |= FLAG_SCHED2; break;
                case "flag-3": flags |= FLAG_SCHED3; break;
                default:
                    throw new IllegalArgumentException("unknown IPVS scheduler flag '" + part.trim()
                            + "' (expected flag-1, flag-2, flag-3, sh-fallback, sh-port, mh-fallback, mh-port)");
            }
        }
        return flags;
    }

    /** Flags that matter when comparing a planned service with the kernel's (the hashed bit is ignored). */
    public static int comparableFlags(VirtualServer vs) {
        return vs.flags() & ~FLAG_HASHED;
    }

    private static Duration nonNegative(Duration d, String what) {
        if (d == null) {
            return Duration.ZERO;
        }
        if (d.isNegative()) {
            throw new IllegalArgumentException(what + " must not be negative");
        }
        return d;
    }
}
