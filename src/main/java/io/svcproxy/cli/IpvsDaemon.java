package io.svcproxy.cli;

import io.svcproxy.apply.ConntrackCleaner;
import io.svcproxy.apply.IptablesSyncer;
import io.svcproxy.apply.ipvs.CommandIpsets;
import io.svcproxy.apply.ipvs.DryRunIpsets;
import io.svcproxy.apply.ipvs.DryRunIpvsKernel;
import io.svcproxy.apply.ipvs.Ipsets;
import io.svcproxy.apply.ipvs.IpvsDataplane;
import io.svcproxy.config.ProxyConfig;
import io.svcproxy.ipvs.IpvsKernel;
import io.svcproxy.model.ClusterSnapshot;
import io.svcproxy.model.IpFamily;
import io.svcproxy.model.SnapshotSupplier;
import io.svcproxy.netlink.ipvs.ClientIpvsKernel;
import io.svcproxy.netlink.ipvs.IpvsTimeouts;
import io.svcproxy.netlink.ipvs.NetlinkIpvsClient;
import io.svcproxy.netlink.route.KubeIpvsInterface;
import io.svcproxy.netlink.route.NetlinkKubeIpvsInterface;
import io.svcproxy.plan.PlannerOptions;
import io.svcproxy.plan.ipvs.IpvsOptions;
import io.svcproxy.plan.ipvs.IpvsPlanner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * `svcproxy run` in IPVS mode: opens the kernel edges (IPVS over generic netlink, kube-ipvs0 over
 * rtnetlink, the ipset tool), does kube-proxy's start-up (kube-ipvs0, IPVS timeouts) and builds the
 * {@link IpvsDataplane}, which closes the kernel handle when it is closed. With --dry-run nothing is
 * created or written: IPVS and kube-ipvs0 are only read.
 */
final class IpvsDaemon {
    private static final Logger LOG = LoggerFactory.getLogger(IpvsDaemon.class);

    private IpvsDaemon() {
    }

    /** The IPVS options of one family (kube-proxy's ipvs.* on top of the common options). */
    static IpvsOptions options(ProxyConfig config, ClusterSnapshot snapshot, IpFamily family,
                               List<InetAddress> localIPs, boolean liberal) {
        PlannerOptions base = PlannerOptionsFactory.create(config, family, snapshot.node().orElse(null), localIPs, liberal);
        return IpvsSettings.options(base, config.ipvs(), 0);
    }

    static IpvsDataplane start(DaemonContext c, SnapshotSupplier source, List<IptablesSyncer> families) {
        ProxyConfig config = c.config();
        boolean dryRun = c.dryRun();
        ConntrackCleaner conntrack = dryRun ? filters -> 0 : c.setup().conntrack(c.runner());
        IpvsKernel kernel = dryRun ? new DryRunIpvsKernel(IpvsDaemon::openReadOnly) : openAndPrepare(config.ipvs());
        Ipsets ipsets = dryRun ? new DryRunIpsets(new CommandIpsets(c.runner())) : new CommandIpsets(c.runner());
        List<String> familyNames = families.stream().map(f -> f.family().kubernetesName()).toList();
        IpvsDataplane dataplane = new IpvsDataplane(source,
                (snapshot, family) -> IpvsPlanner.plan(snapshot,
                        options(config, snapshot, family, IpvsSettings.nodeAddresses(), c.tcpBeLiberal())),
                families, ipsets, kernel, conntrack,
                () -> IpvsSettings.scope(IpvsSettings.nodeAddresses(), config.ipvs()),
                System::currentTimeMillis);
        LOG.info("IPVS mode: scheduler {}, families {}, exclude CIDRs {}, strict ARP {}",
                config.ipvs().scheduler().isEmpty() ? "rr" : config.ipvs().scheduler(), familyNames,
                config.ipvs().excludeCidrs(), config.ipvs().strictArp());
        return dataplane;
    }

    private static IpvsKernel openAndPrepare(ProxyConfig.Ipvs ipvs) {
        ClientIpvsKernel kernel;
        try {
            kernel = ClientIpvsKernel.open();
        } catch (RuntimeException e) {
            throw new IllegalStateException("IPVS mode needs the kernel's IPVS and the dummy interface type "
                    + "(modprobe ip_vs ip_vs_rr dummy; run as root): " + e.getMessage(), e);
        }
        try {
            if (kernel.kubeIpvsInterface() instanceof NetlinkKubeIpvsInterface nl) {
                int index = nl.ensure();
                LOG.info("{} ready (ifindex {})", KubeIpvsInterface.NAME, index);
            }
            IpvsTimeouts wanted = new IpvsTimeouts(seconds(ipvs.tcpTimeout()), seconds(ipvs.tcpFinTimeout()),
                    seconds(ipvs.udpTimeout()));
            if (wanted.tcpSeconds() > 0 || wanted.tcpFinSeconds() > 0 || wanted.udpSeconds() > 0) {
                IpvsTimeouts before = kernel.client().timeouts();
                kernel.client().setTimeouts(wanted);
                LOG.info("IPVS timeouts tcp/tcpfin/udp: {}/{}/{}s -> {}/{}/{}s (0 = unchanged)", before.tcpSeconds(),
                        before.tcpFinSeconds(), before.udpSeconds(), wanted.tcpSeconds(), wanted.tcpFinSeconds(),
                        wanted.udpSeconds());
            }
            return kernel;
        } catch (RuntimeException e) {
            kernel.close();
            throw e;
        }
    }

    /**
     * For --dry-run and explain --live: reads IPVS, and kube-ipvs0's addresses only if it exists
     * (never creates it).
     */
    static IpvsKernel openReadOnly() {
        NetlinkIpvsClient client = NetlinkIpvsClient.open();
        NetlinkKubeIpvsInterface iface;
        try {
            iface = NetlinkKubeIpvsInterface.open();
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
        if (iface.exists()) {
            return new ClientIpvsKernel(client, iface);
        }
        iface.close();
        return new ClientIpvsKernel(client, new KubeIpvsInterface() {
            @Override
            public Set<InetAddress> bound() {
                return Set.of();
            }

            @Override
            public void bind(InetAddress address) {
                throw new UnsupportedOperationException("dry run");
            }

            @Override
            public void unbind(InetAddress address) {
                throw new UnsupportedOperationException("dry run");
            }

            @Override
            public void delete() {
                throw new UnsupportedOperationException("dry run");
            }

            @Override
            public void close() {
            }
        });
    }

    private static int seconds(Duration d) {
        return (int) Math.min(Integer.MAX_VALUE, d.toSeconds());
    }
}
