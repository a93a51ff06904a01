package io.svcproxy.netlink.route;

import io.svcproxy.model.Addresses;
import io.svcproxy.netlink.NetlinkMessage;
import io.svcproxy.netlink.NetlinkMessageBuilder;
import io.svcproxy.netlink.NetlinkMessages;
import io.svcproxy.testing.HexFixture;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** rtnetlink messages for kube-ipvs0 against the ones the VM's kernel accepted and sent (see IpvsGoldenMessagesTest). */
class RouteGoldenMessagesTest {
    private static final Path DIR = Path.of("test-fixtures/netlink");
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private static void assertGolden(String name, NetlinkMessageBuilder ours) {
        assertEquals(HexFormat.of().formatHex(HexFixture.read(DIR.resolve(name + ".hex"))),
                HexFormat.of().formatHex(ours.build(1, 0)), name);
    }

    @Test
    void requestsAreByteExact() {
        assertGolden("rtm-newlink-dummy-request", RouteMessages.newDummyLink("kube-ipvs0", LE));
        int index = Integer.parseInt(HexFixture.comment(DIR.resolve("rtm-newaddr-request.hex"), "ifindex"));
        assertGolden("rtm-newaddr-request", RouteMessages.newAddress(index, Addresses.parseIp("10.96.0.10"), LE));
    }

    @Test
    void parsesTheKernelsAddressDump() {
        Path f = DIR.resolve("rtm-getaddr-dump-reply.hex");
        int index = Integer.parseInt(HexFixture.comment(f, "ifindex"));
        byte[] bytes = HexFixture.read(f);
        List<NetlinkMessage> dump = NetlinkMessages.parse(bytes, bytes.length, LE);
        List<RouteMessages.Address> addrs = dump.stream().map(RouteMessages::parseAddress)
                .map(java.util.Optional::orElseThrow).toList();
        assertEquals(Set.of(index), addrs.stream().map(RouteMessages.Address::index).collect(Collectors.toSet()));
        assertEquals(Set.of(Addresses.parseIp("10.96.0.10"), Addresses.parseIp("fd00:96::10")),
                addrs.stream().map(RouteMessages.Address::address).collect(Collectors.toSet()));
        assertEquals(Set.of(32, 128), addrs.stream().map(RouteMessages.Address::prefixLength).collect(Collectors.toSet()));
    }
}
