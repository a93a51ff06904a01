package io.svcproxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.svcproxy.cli.Main;
import io.svcproxy.netlink.NetworkNamespaces;
import io.svcproxy.testing.NetNs;
import io.svcproxy.testing.topology.Daemon;
import io.svcproxy.testing.topology.Histogram;
import io.svcproxy.testing.topology.NodeProgrammer;
import io.svcproxy.testing.topology.Pod;
import io.svcproxy.testing.topology.Topology;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;

/**
 * The explain traffic scenarios in IPVS mode, the node programmed by the daemon ({@code svcproxy run
 * --proxy-mode ipvs}: virtual servers over netlink, kube-ipvs0, ipsets, iptables glue). Needs an IPVS
 * kernel: {@link ExplainIpvsTrafficVmSelfTest} runs it inside the IPVS VM (ExplainIpvsTrafficVmIT boots
 * it); the name keeps it out of the host's test runs.
 *
 * <p>IPVS's rr scheduler does not pick at random: it hands new connections to the destinations with
 * weight &gt; 0 in turn, so of S connections scheduled each of the k destinations gets floor(S/k) or
 * ceil(S/k), whatever the weights. That is checked exactly (a chi-square fit would pass an rr far
 * from even): with L of the N probes lost, S is between N - L and N and each destination's answered
 * count is between floor((N - L)/k) - L and ceil(N/k). For it to hold every probe must be a new IPVS
 * connection: IPVS keeps a UDP connection entry 300 s, so a UDP probe from a reused ephemeral port
 * would follow an old one; the UDP probes here come from source ports never used before in the run.
 */
final class IpvsExplainScenarios extends ExplainTrafficScenarios {
    /** Below the ephemeral range (32768..60999): no kernel-chosen port collides. */
    private int nextUdpSourcePort = 20000;
    private boolean jarCompared;

    @Override
    NodeProgrammer programmer(Topology topology) {
        return new Daemon(topology, List.of("--proxy-mode", "ipvs", "--iptables-backend", "nft",
                "--sync-period", "30s", "--min-sync-period", "1s"));
    }

    /**
     * rr is exact, so few connections prove the shares: 24 splits evenly over 1 to 4 destinations (each
     * gets exactly 24/k when none is lost), where a random pick would rarely. Each probe is a process in
     * an emulated VM (about a quarter second): 150 per packet would take minutes.
     */
    @Override
    int connections() {
        return 24;
    }

    @Override
    List<String> modeFlags() {
        return List.of("--proxy-mode", "ipvs", "--iptables-backend", "nft");
    }

    /** IPVS persistence templates are in the connection table, which neither a plan nor explain --live holds. */
    @Override
    boolean affinityIsLiveState() {
        return false;
    }

    /**
     * The command line run in this JVM (Main.execute, what the jar's main calls) on a thread that entered
     * the node namespace (its netlink sockets and the iptables-save and ipset it starts are the node's):
     * in the emulated VM a run of the jar spends about 9 s starting up, 22 of them minutes. The first
     * explain also runs the jar, which must print the same and exit the same.
     */
    @Override
    NetNs.Result runExplain(String nodeNs, List<String> args) {
        NetNs.Result here = NetworkNamespaces.callIn("/run/netns/" + nodeNs, () -> {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int code = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args.toArray(String[]::new));
            return new NetNs.Result(code, out.toString(), err.toString());
        });
        if (!jarCompared) {
            jarCompared = true;
            NetNs.Result jar = super.runExplain(nodeNs, args);
            assertEquals(jar.exitCode(), here.exitCode(), "the jar's exit code; its stderr: " + jar.stderr());
            assertEquals(jar.stdout(), here.stdout(), "the jar prints what the command line in this JVM prints");
            figure("the jar's explain printed and exited as the in-JVM one", "exit " + jar.exitCode());
        }
        return here;
    }

    @Override
    Histogram udpProbes(Pod from, RandomServices.Packet p, int n, double timeout) {
        int first = nextUdpSourcePort;
        nextUdpSourcePort += n;
        return from.udpFromPorts(p.destination(), p.port(), first, n, timeout);
    }

    @Override
    void assertShares(ExplainedVerdict e, Histogram h, Map<String, String> nameOf, int answered, int sent) {
        assertTrue(e.text().contains(" scheduler rr"), "the virtual server's scheduler is rr:\n" + e.text());
        int k = e.endpoints().size();
        for (double share : e.endpoints().values()) {
            assertEquals(1.0 / k, share, 1e-4, "rr: explain states equal shares " + e.endpoints());
        }
        int lost = sent - answered;
        int low = Math.floorDiv(sent - lost, k) - lost;
        int high = Math.floorDiv(sent + k - 1, k);
        for (String ep : e.endpoints().keySet()) {
            int seen = h.count(nameOf.get(ep));
            assertTrue(seen >= low && seen <= high, "rr over " + sent + " connections (" + lost + " lost) to " + k
                    + " destinations gives each " + low + ".." + high + "; " + ep + " got " + seen + ": " + h.counts());
        }
        figure("  rr: each of " + k + " got " + low + ".." + high, h.counts());
    }
}
