package io.svcproxy.ipset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.svcproxy.model.IpFamily;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.TreeSet;

class IpsetRestoreTest {

    @Test
    void createLinesFollowKubeProxy() {
        Ipset hash = new Ipset("KUBE-6-CLUSTER-IP", IpsetType.HASH_IP_PORT, IpFamily.V6, "c", new TreeSet<>());
        Ipset bitmap = new Ipset("KUBE-NODE-PORT-TCP", IpsetType.BITMAP_PORT, IpFamily.V4, "c", new TreeSet<>());
        assertEquals("create KUBE-6-CLUSTER-IP hash:ip,port family inet6 hashsize 1024 maxelem 65536 -exist",
                IpsetRestore.create(hash));
        assertEquals("create KUBE-NODE-PORT-TCP bitmap:port range 0-65535 -exist", IpsetRestore.create(bitmap));
    }

    @Test
    void membersOfEveryType() {
        Ipset s = new Ipset("S", IpsetType.HASH_IP_PORT_NET, IpFamily.V4, "",
                new TreeSet<>(List.of("203.0.113.5,tcp:80,198.51.100.0/24")));
        assertEquals(List.of("create S hash:ip,port,net family inet hashsize 1024 maxelem 65536 -exist",
                "add S 203.0.113.5,tcp:80,198.51.100.0/24 -exist"), IpsetRestore.complete(IpsetState.of(List.of(s))));
        new Ipset("S", IpsetType.HASH_IP_PORT_IP, IpFamily.V6, "", new TreeSet<>(List.of("fd00::1,udp:53,fd00::1")));
        new Ipset("S", IpsetType.HASH_IP, IpFamily.V4, "", new TreeSet<>(List.of("10.96.0.1")));
        new Ipset("S", IpsetType.BITMAP_PORT, IpFamily.V4, "", new TreeSet<>(List.of("30080")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.96.0.1,tcp:80\nflush KUBE-CLUSTER-IP", "10.96.0.1,tcp:80 -exist", "10.96.0.1,icmp:0",
        "10.96.0.01,tcp:80", "10.96.0.1,tcp:65536", "10.96.0.1,tcp:080", "fd00:0::1,tcp:80", "10.96.0.1", ""})
    void malformedMembersAreRejected(String member) {
        assertThrows(IllegalArgumentException.class, () -> new Ipset("S", IpsetType.HASH_IP_PORT, IpFamily.V4, "",
                new TreeSet<>(List.of(member))));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "KUBE SET", "A-NAME-THAT-IS-LONGER-THAN-31-CHARS", "X\nY", "-exist"})
    void badNamesAreRejected(String name) {
        assertThrows(IllegalArgumentException.class, () -> IpsetRestore.destroy(name));
    }

    @Test
    void aNetOfPrefixZeroCannotBeStored() {
        assertThrows(IllegalArgumentException.class, () -> new Ipset("S", IpsetType.HASH_IP_PORT_NET, IpFamily.V4, "",
                new TreeSet<>(List.of("203.0.113.5,tcp:80,0.0.0.0/0"))));
    }
}
