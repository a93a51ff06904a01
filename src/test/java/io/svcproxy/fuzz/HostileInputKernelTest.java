package io.svcproxy.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.svcproxy.diff.CompletePayload;
import io.svcproxy.model.ClusterSnapshot;
import io.svcproxy.model.IpFamily;
import io.svcproxy.plan.IptablesPlan;
import io.svcproxy.plan.IptablesPlanner;
import io.svcproxy.plan.PlannerOptions;
import io.svcproxy.source.SnapshotBuilder;
import io.svcproxy.testing.KernelTest;
import io.svcproxy.testing.NetNs;
import org.junit.jupiter.api.Test;

import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * The fuzzed hostile inputs of {@link HostileInputProperties}, planned and handed to a real
 * iptables-restore --test in a namespace: the kernel accepts every payload we render from them.
 */
@KernelTest(tools = {"iptables-nft-restore", "ip6tables-nft-restore", "nfacct"})
class HostileInputKernelTest {
    private static final int SAMPLES = 60;

    @Test
    void everyPayloadFromHostileInputIsAcceptedByTheKernel() {
        HostileInputProperties gen = new HostileInputProperties();
        Iterator<List<Service>> services = gen.services().sampleStream().iterator();
        Iterator<List<EndpointSlice>> slices = gen.slices().sampleStream().iterator();
        int planned = 0;
        try (NetNs ns = NetNs.create()) {
            ns.runChecked("nfacct", "add", "localhost_nps_accepted_pkts");
            ns.runChecked("nfacct", "add", "ct_state_invalid_dropped_pkts");
            for (int i = 0; i < SAMPLES; i++) {
                ClusterSnapshot snapshot = SnapshotBuilder.build(services.next(), slices.next(), Optional.empty(),
                        "node-a");
                planned += snapshot.services().size();
                for (IpFamily family : IpFamily.values()) {
                    IptablesPlan plan = IptablesPlanner.plan(snapshot, PlannerOptions.defaults(family, "node-a"));
                    String payload = CompletePayload.toText(plan);
                    String tool = family == IpFamily.V4 ? "iptables-nft-restore" : "ip6tables-nft-restore";
                    NetNs.Result r = ns.run(List.of(tool, "--test"), payload);
                    assertEquals(0, r.exitCode(), "kernel refused a payload from fuzzed input: " + r.stderr()
                            + "\n" + payload);
                }
            }
        }
        System.out.println("[HostileInputKernelTest] " + SAMPLES + " fuzzed clusters, " + planned
                + " valid service ports planned, every payload accepted by iptables-restore --test");
    }
}
