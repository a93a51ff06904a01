package io.svcproxy.config;

import io.svcproxy.model.Cidr;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * svcproxy's validated configuration, with kube-proxy's names and meanings. Built from
 * {@link #defaults()}, a KubeProxyConfiguration file ({@link KubeProxyConfigurationLoader}) and
 * flags, through {@link Builder}; the constructor rejects bad values with a message naming the field.
 *
 * @param hostnameOverride    this node's name; "" = the OS hostname (lower-cased, like kube-proxy)
 * @param clusterCidrs        --cluster-cidr, at most one per family
 * @param masqueradeBit       the fwmark bit for KUBE-MARK-MASQ, 0..31
 * @param nodePortAddresses   where NodePorts listen
 * @param localhostNodePorts  NodePorts also answer on 127.0.0.1 (IPv4 iptables only)
 * @param kubeconfig          clientConnection.kubeconfig, for the API source of `svcproxy run`; "" = none
 */
public record ProxyConfig(String hostnameOverride,
                          List<Cidr> clusterCidrs,
                          boolean masqueradeAll,
                          int masqueradeBit,
                          NodePortAddresses nodePortAddresses,
                          boolean localhostNodePorts,
                          DetectLocalMode detectLocalMode,
                          String bridgeInterface,
                          String interfaceNamePrefix,
                          ProxyMode mode,
                          Duration syncPeriod,
                          Duration minSyncPeriod,
                          String kubeconfig,
                          String healthzBindAddress,
                          String metricsBindAddress,
                          int oomScoreAdj,
                          Conntrack conntrack,
                          Ipvs ipvs) {

    /**
     * ipvs.*: kube-proxy's IPVS-mode settings (used with mode ipvs).
     *
     * @param scheduler    "" = rr
     * @param excludeCidrs IPVS services on these addresses are never deleted
     * @param strictArp    set arp_ignore=1 and arp_announce=2
     * @param tcpTimeout   IPVS connection timeouts; ZERO = leave the kernel's
     */
    public record Ipvs(String scheduler, List<Cidr> excludeCidrs, boolean strictArp, Duration tcpTimeout,
                       Duration tcpFinTimeout, Duration udpTimeout) {
        public static final Ipvs KUBE_PROXY_DEFAULTS = new Ipvs("", List.of(), false, Duration.ZERO, Duration.ZERO,
                Duration.ZERO);

        public Ipvs {
            scheduler = scheduler == null ? "" : scheduler;
            excludeCidrs = List.copyOf(excludeCidrs);
            tcpTimeout = tcpTimeout == null ? Duration.ZERO : tcpTimeout;
            tcpFinTimeout = tcpFinTimeout == null ? Duration.ZERO : tcpFinTimeout;
            udpTimeout = udpTimeout == null ? Duration.ZERO : udpTimeout;
            if (!scheduler.isEmpty() && !io.svcproxy.plan.ipvs.IpvsOptions.SCHEDULERS.contains(scheduler)) {
                throw new ConfigException("ipvs.scheduler: unknown IPVS scheduler '"
                        + io.svcproxy.model.Addresses.printable(scheduler) + "' (expected one of "
                        + String.join(", ", new java.util.TreeSet<>(io.svcproxy.plan.ipvs.IpvsOptions.SCHEDULERS)) + ")");
            }
            for (Duration d : List.of(tcpTimeout, tcpFinTimeout, udpTimeout)) {
                if (d.isNegative()) {
                    throw new ConfigException("ipvs: timeouts must not be negative, got " + GoDuration.format(d));
                }
            }
        }

        public Ipvs withScheduler(String v) { return new Ipvs(v, excludeCidrs, strictArp, tcpTimeout, tcpFinTimeout, udpTimeout); }

        public Ipvs withExcludeCidrs(List<Cidr> v) { return new Ipvs(scheduler, v, strictArp, tcpTimeout, tcpFinTimeout, udpTimeout); }

        public Ipvs withStrictArp(boolean v) { return new Ipvs(scheduler, excludeCidrs, v, tcpTimeout, tcpFinTimeout, udpTimeout); }

        public Ipvs withTimeouts(Duration tcp, Duration tcpFin, Duration udp) {
            return new Ipvs(scheduler, excludeCidrs, strictArp, tcp, tcpFin, udp);
        }
    }

    /** conntrack.* in seconds: maxPerCore, min, tcpEstablishedTimeout, tcpCloseWaitTimeout. */
    public record Conntrack(int maxPerCore, int min, int tcpEstablishedSeconds, int tcpCloseWaitSeconds) {
        public static final Conntrack KUBE_PROXY_DEFAULTS = new Conntrack(32768, 131072, 86400, 3600);

        public Conntrack {
            if (maxPerCore < 0 || min < 0 || tcpEstablishedSeconds < 0 || tcpCloseWaitSeconds < 0) {
                throw new ConfigException("conntrack: values must not be negative");
            }
        }
    }

    public static final int DEFAULT_MASQUERADE_BIT = 14;
    public static final Duration DEFAULT_SYNC_PERIOD = Duration.ofSeconds(30);
    public static final Duration DEFAULT_MIN_SYNC_PERIOD = Duration.ofSeconds(1);
    // Linux interface names: at most 15 bytes; we also keep them to characters safe in an iptables rule.
    private static final Pattern INTERFACE = Pattern.compile("[A-Za-z0-9_.-]{1,15}");
    private static final Pattern HOSTNAME = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

    public ProxyConfig {
        hostnameOverride = hostnameOverride == null ? "" : hostnameOverride.trim().toLowerCase(Locale.ROOT);
        clusterCidrs = List.copyOf(clusterCidrs);
        Objects.requireNonNull(nodePortAddresses, "nodePortAddresses");
        Objects.requireNonNull(detectLocalMode, "detectLocalMode");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(syncPeriod, "syncPeriod");
        Objects.requireNonNull(minSyncPeriod, "minSyncPeriod");
        bridgeInterface = bridgeInterface == null ? "" : bridgeInterface;
        interfaceNamePrefix = interfaceNamePrefix == null ? "" : interfaceNamePrefix;
        kubeconfig = kubeconfig == null ? "" : kubeconfig;
        healthzBindAddress = healthzBindAddress == null ? "" : healthzBindAddress;
        metricsBindAddress = metricsBindAddress == null ? "" : metricsBindAddress;
        Objects.requireNonNull(conntrack, "conntrack");
        ipvs = ipvs == null ? Ipvs.KUBE_PROXY_DEFAULTS : ipvs;
        if (oomScoreAdj < -1000 || oomScoreAdj > 1000) {
            throw new ConfigException("oomScoreAdj: " + oomScoreAdj + " out of range -1000..1000");
        }

        if (!hostnameOverride.isEmpty() && (hostnameOverride.length() > 253 || !HOSTNAME.matcher(hostnameOverride).matches())) {
            throw new ConfigException("hostnameOverride: '" + io.svcproxy.model.Addresses.printable(hostnameOverride)
                    + "' is not a valid node name");
        }
        Set<Object> families = new HashSet<>();
        for (Cidr c : clusterCidrs) {
            if (!families.add(c.family())) {
                throw new ConfigException("clusterCIDR: more than one " + c.family().kubernetesName() + " CIDR");
            }
        }
        if (masqueradeBit < 0 || masqueradeBit > 31) {
            throw new ConfigException("iptables.masqueradeBit: " + masqueradeBit + " out of range 0..31");
        }
        if (syncPeriod.isNegative() || syncPeriod.isZero()) {
            throw new ConfigException("syncPeriod: must be greater than 0, got " + GoDuration.format(syncPeriod));
        }
        if (minSyncPeriod.isNegative()) {
            throw new ConfigException("minSyncPeriod: must be 0 or more, got " + GoDuration.format(minSyncPeriod));
        }
        if (syncPeriod.compareTo(minSyncPeriod) < 0) {
            throw new ConfigException("syncPeriod: " + GoDuration.format(syncPeriod)
                    + " must be greater than or equal to minSyncPeriod " + GoDuration.format(minSyncPeriod));
        }
        checkInterface("detectLocal.bridgeInterface", bridgeInterface,
                detectLocalMode == DetectLocalMode.BRIDGE_INTERFACE);
        checkInterface("detectLocal.interfaceNamePrefix", interfaceNamePrefix,
                detectLocalMode == DetectLocalMode.INTERFACE_NAME_PREFIX);
    }

    private static void checkInterface(String field, String value, boolean required) {
        if (value.isEmpty()) {
            if (required) {
                throw new ConfigException(field + ": required by detectLocalMode");
            }
            return;
        }
        if (!INTERFACE.matcher(value).matches()) {
            throw new ConfigException(field + ": '" + io.svcproxy.model.Addresses.printable(value)
                    + "' is not a valid interface name (1-15 of A-Z a-z 0-9 _ . -)");
        }
    }

    public static ProxyConfig defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder().hostnameOverride(hostnameOverride).clusterCidrs(clusterCidrs).masqueradeAll(masqueradeAll)
                .masqueradeBit(masqueradeBit).nodePortAddresses(nodePortAddresses).localhostNodePorts(localhostNodePorts)
                .detectLocalMode(detectLocalMode).bridgeInterface(bridgeInterface).interfaceNamePrefix(interfaceNamePrefix)
                .mode(mode).syncPeriod(syncPeriod).minSyncPeriod(minSyncPeriod).kubeconfig(kubeconfig)
                .healthzBindAddress(healthzBindAddress).metricsBindAddress(metricsBindAddress)
                .oomScoreAdj(oomScoreAdj).conntrack(conntrack).ipvs(ipvs);
    }

    /** Mutable, unvalidated until {@link #build()}; the CLI applies flags on top of the file's values. */
    public static final class Builder {
        private String hostnameOverride = "";
        private List<Cidr> clusterCidrs = List.of();
        private boolean masqueradeAll;
        private int masqueradeBit = DEFAULT_MASQUERADE_BIT;
        private NodePortAddresses nodePortAddresses = NodePortAddresses.all();
        private boolean localhostNodePorts = true;
        private DetectLocalMode detectLocalMode = DetectLocalMode.CLUSTER_CIDR;
        private String bridgeInterface = "";
        private String interfaceNamePrefix = "";
        private ProxyMode mode = ProxyMode.IPTABLES;
        private Duration syncPeriod = DEFAULT_SYNC_PERIOD;
        private Duration minSyncPeriod = DEFAULT_MIN_SYNC_PERIOD;
        private String kubeconfig = "";
        private String healthzBindAddress = "0.0.0.0:10256";
        private String metricsBindAddress = "127.0.0.1:10249";
        private int oomScoreAdj = -999;
        private Conntrack conntrack = Conntrack.KUBE_PROXY_DEFAULTS;
        private Ipvs ipvs = Ipvs.KUBE_PROXY_DEFAULTS;

        private Builder() {
        }

        public Builder hostnameOverride(String v) { hostnameOverride = v; return this; }

        public Builder clusterCidrs(List<Cidr> v) { clusterCidrs = List.copyOf(v); return this; }

        /** kube-proxy's comma-separated --cluster-cidr / clusterCIDR. */
        public Builder clusterCidrs(String commaSeparated) {
            List<Cidr> cidrs = new ArrayList<>();
            for (String part : commaSeparated == null ? new String[0] : commaSeparated.split(",")) {
                if (!part.isBlank()) {
                    try {
                        cidrs.add(Cidr.parse(part.trim()));
                    } catch (IllegalArgumentException e) {
                        throw new ConfigException("clusterCIDR: " + e.getMessage(), e);
                    }
                }
            }
            clusterCidrs = List.copyOf(cidrs);
            return this;
        }

        public Builder masqueradeAll(boolean v) { masqueradeAll = v; return this; }

        public Builder masqueradeBit(int v) { masqueradeBit = v; return this; }

        public Builder nodePortAddresses(NodePortAddresses v) { nodePortAddresses = v; return this; }

        public Builder localhostNodePorts(boolean v) { localhostNodePorts = v; return this; }

        public Builder detectLocalMode(DetectLocalMode v) { detectLocalMode = v; return this; }

        public Builder bridgeInterface(String v) { bridgeInterface = v; return this; }

        public Builder interfaceNamePrefix(String v) { interfaceNamePrefix = v; return this; }

        public Builder mode(ProxyMode v) { mode = v; return this; }

        public Builder syncPeriod(Duration v) { syncPeriod = v; return this; }

        public Builder minSyncPeriod(Duration v) { minSyncPeriod = v; return this; }

        public Builder kubeconfig(String v) { kubeconfig = v; return this; }

        public Builder healthzBindAddress(String v) { healthzBindAddress = v; return this; }

        public Builder metricsBindAddress(String v) { metricsBindAddress = v; return this; }

        public Builder oomScoreAdj(int v) { oomScoreAdj = v; return this; }

        public Builder conntrack(Conntrack v) { conntrack = v; return this; }

        public Builder ipvs(Ipvs v) { ipvs = v; return this; }

        public Ipvs ipvs() { return ipvs; }

        public ProxyConfig build() {
            return new ProxyConfig(hostnameOverride, clusterCidrs, masqueradeAll, masqueradeBit, nodePortAddresses,
                    localhostNodePorts, detectLocalMode, bridgeInterface, interfaceNamePrefix, mode, syncPeriod,
                    minSyncPeriod, kubeconfig, healthzBindAddress, metricsBindAddress, oomScoreAdj, conntrack, ipvs);
        }
    }
}
