package io.svcproxy.ipset;

import io.svcproxy.diff.ipvs.IpsetDiff;
import io.svcproxy.model.IpFamily;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IpsetSaveParserTest {
    /** Printed by ipset v7 ("ipset save") on a node: a host net is printed without its /32. */
    static final String SAVE = """
            create KUBE-CLUSTER-IP hash:ip,port family inet hashsize 1024 maxelem 65536 bucketsize 12 initval 0x20535704
            add KUBE-CLUSTER-IP 10.96.0.1,tcp:443
            add KUBE-CLUSTER-IP 10.96.0.10,udp:53
            create KUBE-NODE-PORT-TCP bitmap:port range 0-65535
            add KUBE-NODE-PORT-TCP 30080
            create KUBE-LOAD-BALANCER-SOURCE-CIDR hash:ip,port,net family inet hashsize 1024 maxelem 65536 bucketsize 12 initval 0xd3ced589
            add KUBE-LOAD-BALANCER-SOURCE-CIDR 1.2.3.4,tcp:80,10.0.0.1
            add KUBE-LOAD-BALANCER-SOURCE-CIDR 1.2.3.4,tcp:80,10.0.0.0/8
            create KUBE-6-CLUSTER-IP hash:ip,port family inet6 hashsize 1024 maxelem 65536 bucketsize 12 initval 0x1
            add KUBE-6-CLUSTER-IP fd00::a,tcp:80
            create cali40all-hosts hash:ip family inet hashsize 1024 maxelem 1048576
            add cali40all-hosts 192.0.2.7
            """;

    @Test
    void readsOnlyOurSetsInThePlannersCanonicalForm() {
        IpsetState state = IpsetSaveParser.parse(SAVE);
        assertEquals(Set.of("KUBE-CLUSTER-IP", "KUBE-NODE-PORT-TCP", "KUBE-LOAD-BALANCER-SOURCE-CIDR", "KUBE-6-CLUSTER-IP"),
                state.sets().keySet());
        assertEquals(Set.of("10.96.0.1,tcp:443", "10.96.0.10,udp:53"), state.get("KUBE-CLUSTER-IP").members());
        assertEquals(IpsetType.BITMAP_PORT, state.get("KUBE-NODE-PORT-TCP").type());
        assertEquals(Set.of("30080"), state.get("KUBE-NODE-PORT-TCP").members());
        assertEquals(Set.of("1.2.3.4,tcp:80,10.0.0.1/32", "1.2.3.4,tcp:80,10.0.0.0/8"),
                state.get("KUBE-LOAD-BALANCER-SOURCE-CIDR").members());
        assertEquals(IpFamily.V6, state.get("KUBE-6-CLUSTER-IP").family());
        assertNull(state.get("cali40all-hosts"));
    }

    @Test
    void aSetReadBackDiffsToNothing() {
        IpsetState state = IpsetSaveParser.parse(SAVE);
        assertTrue(IpsetDiff.diff(state, state).isEmpty());
    }

    @Test
    void garbageMembersAreDroppedNotFatal() {
        IpsetState state = IpsetSaveParser.parse("create KUBE-CLUSTER-IP hash:ip,port family inet\n"
                + "add KUBE-CLUSTER-IP not-an-ip,tcp:1\nadd KUBE-CLUSTER-IP 10.0.0.1,tcp:80\nadd KUBE-MISSING 1\n");
        assertEquals(Set.of("10.0.0.1,tcp:80"), state.get("KUBE-CLUSTER-IP").members());
    }
}
