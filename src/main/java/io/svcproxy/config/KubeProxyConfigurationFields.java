package io.svcproxy.config;

import java.util.Map;
import java.util.Set;

/**
 * The field paths of KubeProxyConfiguration (kubeproxy.config.k8s.io/v1alpha1) that svcproxy does
 * not use, with kube-proxy's default for each. Zero values ("", 0, false, null, "0s") also count
 * as default, because kube-proxy's defaulting replaces them (kubeadm writes them that way).
 */
final class KubeProxyConfigurationFields {
    /** Objects whose fields are listed one by one. */
    static final Set<String> SECTIONS = Set.of("iptables", "ipvs", "nftables", "conntrack", "clientConnection",
            "detectLocal", "winkernel", "linux", "linux.conntrack");

    /** Read and used by svcproxy. */
    static final Set<String> SUPPORTED = Set.of("apiVersion", "kind", "hostnameOverride", "clusterCIDR", "mode",
            "iptables.masqueradeAll", "iptables.masqueradeBit", "iptables.localhostNodePorts", "iptables.syncPeriod",
            "iptables.minSyncPeriod", "syncPeriod", "minSyncPeriod", "nodePortAddresses", "detectLocalMode",
            "detectLocal.bridgeInterface", "detectLocal.interfaceNamePrefix", "clientConnection.kubeconfig",
            "healthzBindAddress", "metricsBindAddress", "oomScoreAdj", "conntrack.maxPerCore", "conntrack.min",
            "conntrack.tcpEstablishedTimeout", "conntrack.tcpCloseWaitTimeout",
            "ipvs.syncPeriod", "ipvs.minSyncPeriod", "ipvs.scheduler", "ipvs.excludeCIDRs", "ipvs.strictARP",
            "ipvs.tcpTimeout", "ipvs.tcpFinTimeout", "ipvs.udpTimeout",
            "nftables.syncPeriod", "nftables.minSyncPeriod", "nftables.masqueradeBit", "nftables.masqueradeAll");

    /** Read by kube-proxy, not used by svcproxy: a warning when set to something else than this default. */
    static final Map<String, Object> UNSUPPORTED_DEFAULTS = Map.ofEntries(
            Map.entry("featureGates", ""),
            Map.entry("logging", ""), // kubeadm always writes a logging block; it only tunes log output
            Map.entry("bindAddress", "0.0.0.0"),
            Map.entry("bindAddressHardFail", false),
            Map.entry("enableProfiling", false),
            Map.entry("showHiddenMetricsForVersion", ""),
            Map.entry("configSyncPeriod", "15m0s"),
            Map.entry("portRange", ""),
            Map.entry("windowsRunAsService", false),
            Map.entry("clientConnection.acceptContentTypes", ""),
            Map.entry("clientConnection.contentType", "application/vnd.kubernetes.protobuf"),
            Map.entry("clientConnection.qps", 5),
            Map.entry("clientConnection.burst", 10),
            Map.entry("conntrack.tcpBeLiberal", false),
            Map.entry("conntrack.udpTimeout", "0s"),
            Map.entry("conntrack.udpStreamTimeout", "0s"),
            Map.entry("winkernel.networkName", ""),
            Map.entry("winkernel.sourceVip", ""),
            Map.entry("winkernel.enableDSR", false),
            Map.entry("winkernel.rootHnsEndpointName", ""),
            Map.entry("winkernel.forwardHealthCheckVip", false),
            Map.entry("linux.masqueradeAll", false),
            Map.entry("linux.oomScoreAdj", -999),
            Map.entry("linux.conntrack.maxPerCore", 32768),
            Map.entry("linux.conntrack.min", 131072),
            Map.entry("linux.conntrack.tcpEstablishedTimeout", "24h0m0s"),
            Map.entry("linux.conntrack.tcpCloseWaitTimeout", "1h0m0s"),
            Map.entry("linux.conntrack.tcpBeLiberal", false),
            Map.entry("linux.conntrack.udpTimeout", "0s"),
            Map.entry("linux.conntrack.udpStreamTimeout", "0s"));

    private KubeProxyConfigurationFields() {
    }
}
