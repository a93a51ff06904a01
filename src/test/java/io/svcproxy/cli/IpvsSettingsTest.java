package io.svcproxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.svcproxy.config.ProxyConfig;
import io.svcproxy.diff.ipvs.IpvsDiff;
import io.svcproxy.model.Addresses;
import io.svcproxy.model.Cidr;
import io.svcproxy.model.IpFamily;
import io.svcproxy.plan.PlannerOptions;
import io.svcproxy.plan.ipvs.IpvsOptions;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Set;

class IpvsSettingsTest {
    private static final ProxyConfig.Ipvs IPVS = new ProxyConfig.Ipvs("sh",
            List.of(Cidr.parse("192.168.0.0/16"), Cidr.parse("fd00::/8")), true, Duration.ofMinutes(15),
            Duration.ofSeconds(30), Duration.ofMinutes(1));

    @Test
    void theOptionsAreTheIpvsSectionOnTopOfTheFamilysPlannerOptions() {
        IpvsOptions o = IpvsSettings.options(PlannerOptions.defaults(IpFamily.V4, "node-a"), IPVS,
                IpvsOptions.FLAG_SCHED1);
        assertEquals("sh", o.scheduler());
        assertEquals(IpvsOptions.FLAG_SCHED1, o.schedulerFlags());
        assertEquals(true, o.strictArp());
        assertEquals(List.of(Duration.ofMinutes(15), Duration.ofSeconds(30), Duration.ofMinutes(1)),
                List.of(o.tcpTimeout(), o.tcpFinTimeout(), o.udpTimeout()));
        assertEquals(List.of(Cidr.parse("192.168.0.0/16")), o.excludeCidrs(), "this family's only");
    }

    @Test
    void theScopeIsTheNodesAddressesWithoutLoopbackAndTheExcludedCidrs() {
        IpvsDiff.Scope s = IpvsSettings.scope(List.of(Addresses.parseIp("192.168.56.11"),
                Addresses.parseIp("127.0.0.1"), Addresses.parseIp("::1")), IPVS);
        assertEquals(Set.of(Addresses.parseIp("192.168.56.11")), s.nodeAddresses());
        assertEquals(IPVS.excludeCidrs(), s.excludeCidrs());
        assertEquals(IpvsDiff.DEFAULT_DRAIN_BOUND, s.drainBound());
    }
}
