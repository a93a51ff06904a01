package io.svcproxy.cli;

import io.svcproxy.config.ConfigException;
import io.svcproxy.config.DetectLocalMode;
import io.svcproxy.config.KubeProxyConfigurationLoader;
import io.svcproxy.config.LoadedConfiguration;
import io.svcproxy.config.NodePortAddresses;
import io.svcproxy.config.ProxyConfig;
import io.svcproxy.model.Warning;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * kube-proxy's flags that shape the rules, with kube-proxy's names, defaults and meanings. A
 * KubeProxyConfiguration file (--config) gives the base; flags given on the command line win.
 */
public final class ProxyFlags {

    @Option(names = "--config", paramLabel = "FILE",
            description = "A kube-proxy KubeProxyConfiguration file (kubeproxy.config.k8s.io/v1alpha1).")
    Path config;

    @Option(names = "--hostname-override", paramLabel = "NAME",
            description = "This node's name (endpoints on it are local). Default: the only Node in the snapshot.")
    String hostnameOverride;

    @Option(names = "--cluster-cidr", paramLabel = "CIDR[,CIDR]",
            description = "Pod CIDRs (comma-separated, one per family): traffic from them is pod traffic.")
    String clusterCidrs;

    @Option(names = "--detect-local-mode", paramLabel = "ClusterCIDR|NodeCIDR|BridgeInterface|InterfaceNamePrefix",
            description = "How pod traffic is recognised. Default: ClusterCIDR.")
    String detectLocalMode;

    @Option(names = "--pod-bridge-interface", paramLabel = "NAME",
            description = "Bridge pods attach to (with --detect-local-mode=BridgeInterface).")
    String bridgeInterface;

    @Option(names = "--pod-interface-name-prefix", paramLabel = "PREFIX",
            description = "Prefix of pod interfaces (with --detect-local-mode=InterfaceNamePrefix).")
    String interfacePrefix;

    @Option(names = "--masquerade-all", arity = "0..1", paramLabel = "BOOL",
            description = "SNAT all traffic sent to a cluster IP.")
    Boolean masqueradeAll;

    @Option(names = "--iptables-masquerade-bit", paramLabel = "0-31",
            description = "Bit of the packet mark that requests SNAT. Default: 14.")
    Integer masqueradeBit;

    @Option(names = "--nodeport-addresses", split = ",", paramLabel = "CIDR|primary",
            description = "Addresses NodePorts listen on (CIDRs, or 'primary' for the node's primary IPs). "
                    + "Default: all local addresses.")
    List<String> nodePortAddresses;

    @Option(names = "--iptables-localhost-nodeports", arity = "0..1", paramLabel = "BOOL",
            description = "Let NodePorts answer on 127.0.0.0/8 (IPv4). Default: true.")
    Boolean localhostNodePorts;

    @Option(names = "--conntrack-tcp-be-liberal", description = "nf_conntrack_tcp_be_liberal is set on the node: "
            + "no rule dropping INVALID packets is installed.")
    boolean conntrackTcpBeLiberal;

    /** The configuration: the --config file's values (or kube-proxy's defaults), overridden by flags. */
    ProxyConfig proxyConfig(List<Warning> warnings) {
        ProxyConfig.Builder b;
        if (config != null) {
            LoadedConfiguration loaded = KubeProxyConfigurationLoader.load(config);
            warnings.addAll(loaded.warnings());
            b = loaded.config().toBuilder();
        } else {
            b = ProxyConfig.builder();
        }
        try {
            if (hostnameOverride != null) {
                b.hostnameOverride(hostnameOverride);
            }
            if (clusterCidrs != null) {
                b.clusterCidrs(clusterCidrs);
            }
            if (detectLocalMode != null) {
                b.detectLocalMode(DetectLocalMode.parse(detectLocalMode));
            }
            if (bridgeInterface != null) {
                b.bridgeInterface(bridgeInterface);
            }
            if (interfacePrefix != null) {
                b.interfaceNamePrefix(interfacePrefix);
            }
            if (masqueradeAll != null) {
                b.masqueradeAll(masqueradeAll);
            }
            if (masqueradeBit != null) {
                b.masqueradeBit(masqueradeBit);
            }
            if (nodePortAddresses != null) {
                b.nodePortAddresses(NodePortAddresses.parse(new ArrayList<>(nodePortAddresses)));
            }
            if (localhostNodePorts != null) {
                b.localhostNodePorts(localhostNodePorts);
            }
            return b.build();
        } catch (ConfigException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage(), e);
        }
    }

    boolean conntrackTcpBeLiberal() {
        return conntrackTcpBeLiberal;
    }
}
