package io.svcproxy.netlink.ipvs;

import io.svcproxy.ipvs.RealServer;
import io.svcproxy.ipvs.VirtualServer;
import io.svcproxy.model.Addresses;
import io.svcproxy.model.Protocol;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What an {@link IpvsClient} does, as exact outcomes: run against {@link FakeIpvsClient} on every
 * build (FakeIpvsClientContractTest), and against the kernel through {@link NetlinkIpvsClient} inside
 * the IPVS VM (KernelIpvsClientContract, booted by IpvsClientContractVmIT), so the fake the syncer and
 * planner tests trust is held to what the kernel does. Each scenario starts from an empty IPVS table
 * (the kernel: a fresh network namespace whose dummy interface routes 10.0.2.0/24 and fd00:1::/64, as
 * IPVS takes only unicast destinations). The order of a dump is no part of it (ClientIpvsKernel
 * sorts what it reads; the fake keeps insertion order), so dumps are compared as sets.
 */
abstract class IpvsClientContract {
    static final InetAddress VIP = Addresses.parseIp("10.96.0.10");
    static final InetAddress VIP6 = Addresses.parseIp("fd00:96::10");
    static final VirtualServer TCP = new VirtualServer(VIP, Protocol.TCP, 80, "rr", 0, 0, 0xffffffff);
    static final VirtualServer UDP = new VirtualServer(VIP, Protocol.UDP, 53, "rr", 0, 0, 0xffffffff);
    static final VirtualServer SCTP = new VirtualServer(VIP, Protocol.SCTP, 3868, "rr", 0, 0, 0xffffffff);
    static final VirtualServer TCP6 = new VirtualServer(VIP6, Protocol.TCP, 443, "wrr",
            IpvsConstants.IP_VS_SVC_F_PERSISTENT, 10800, 128);
    static final VirtualServer.Key MISSING = new VirtualServer.Key(VIP, Protocol.TCP, 81);
    static final RealServer B1 = RealServer.of(Addresses.parseIp("10.0.2.2"), 8080);
    static final RealServer B2 = RealServer.of(Addresses.parseIp("10.0.2.3"), 8080);
    static final RealServer B3 = RealServer.of(Addresses.parseIp("10.0.2.4"), 8080);
    static final RealServer B6 = RealServer.of(Addresses.parseIp("fd00:1::2"), 8443);

    /** The client under contract. */
    IpvsClient ipvs;

    /** A client on an empty IPVS table. */
    abstract IpvsClient open();

    /** Releases what {@link #open} made (the kernel: the namespace). */
    abstract void release();

    @BeforeEach
    final void openTable() {
        ipvs = open();
    }

    @AfterEach
    final void closeTable() {
        try {
            ipvs.close();
        } finally {
            release();
        }
    }

    @Test
    void anEmptyTableHasNoServiceAndTheDefaultTimeouts() {
        assertEquals(List.of(), ipvs.services());
        assertEquals(new IpvsTimeouts(900, 120, 300), ipvs.timeouts(), "the kernel's defaults (tcp, tcpfin, udp)");
    }

    @Test
    void servicesReadBackAsAddedWhateverTheProtocolFamilyAndPersistence() {
        for (VirtualServer s : List.of(TCP, UDP, SCTP, TCP6)) {
            ipvs.addService(s);
        }
        assertEquals(Set.of(TCP, UDP, SCTP, TCP6), new HashSet<>(ipvs.services()), "read without IP_VS_SVC_F_HASHED");
        assertEquals(4, ipvs.services().size());
    }

    @Test
    void updatingAServiceChangesSchedulerAndPersistence() {
        ipvs.addService(TCP);
        VirtualServer sticky = new VirtualServer(VIP, Protocol.TCP, 80, "sh", IpvsConstants.IP_VS_SVC_F_PERSISTENT, 600,
                0xffffffff);
        ipvs.updateService(sticky);
        assertEquals(List.of(sticky), ipvs.services());
        ipvs.updateService(TCP);
        assertEquals(List.of(TCP), ipvs.services());
    }

    @Test
    void addingAServiceTwiceIsEexist() {
        ipvs.addService(TCP);
        IpvsException e = assertThrows(IpvsException.AlreadyExists.class, () -> ipvs.addService(TCP));
        assertEquals("EEXIST", e.errnoName());
        // Same key, other settings: still the same service.
        assertThrows(IpvsException.AlreadyExists.class, () -> ipvs.addService(
                new VirtualServer(VIP, Protocol.TCP, 80, "wrr", 0, 0, 0xffffffff)));
        assertEquals(List.of(TCP), ipvs.services(), "unchanged");
    }

    @Test
    void anUnknownSchedulerIsEnoentAndAddsNothing() {
        assertThrows(IpvsException.NotFound.class, () -> ipvs.addService(
                new VirtualServer(VIP, Protocol.TCP, 80, "nosuchsched", 0, 0, 0xffffffff)));
        assertEquals(List.of(), ipvs.services());
        ipvs.addService(TCP);
        assertThrows(IpvsException.NotFound.class, () -> ipvs.updateService(
                new VirtualServer(VIP, Protocol.TCP, 80, "nosuchsched", 0, 0, 0xffffffff)));
        assertEquals(List.of(TCP), ipvs.services(), "unchanged");
    }

    @Test
    void everyCommandNamingAMissingServiceIsEsrch() {
        ipvs.addService(TCP);
        assertThrows(IpvsException.NoSuchService.class, () -> ipvs.deleteService(MISSING));
        assertThrows(IpvsException.NoSuchService.class, () -> ipvs.updateService(
                new VirtualServer(VIP, Protocol.TCP, 81, "rr", 0, 0, 0xffffffff)));
        assertThrows(IpvsException.NoSuchService.class, () -> ipvs.addDestination(MISSING, B1));
        assertThrows(IpvsException.NoSuchService.class, () -> ipvs.updateDestination(MISSING, B1));
        assertThrows(IpvsException.NoSuchService.class, () -> ipvs.deleteDestination(MISSING, B1));
        // Another protocol on the same address and port is another service.
        assertThrows(IpvsException.NoSuchService.class, () -> ipvs.addDestination(UDP.key(), B1));
        assertEquals(List.of(TCP), ipvs.services());
    }

    @Test
    void theDestinationDumpOfAMissingServiceIsEmptyNotEsrch() {
        assertEquals(List.of(), ipvs.destinations(MISSING));
        ipvs.addService(TCP);
        assertEquals(List.of(), ipvs.destinations(TCP.key()), "a service without destinations");
    }

    @Test
    void destinationsReadBackMasqueradingWithTheirWeightAndNoConnections() {
        ipvs.addService(TCP);
        ipvs.addService(TCP6);
        ipvs.addDestination(TCP.key(), B1);
        ipvs.addDestination(TCP.key(), B2);
        ipvs.addDestination(TCP.key(), new RealServer(B3.address(), 8080, 5, 0, 0));
        ipvs.addDestination(TCP6.key(), B6);
        assertEquals(Set.of(B1, B2, new RealServer(B3.address(), 8080, 5, 0, 0)), new HashSet<>(ipvs.destinations(TCP.key())));
        assertEquals(3, ipvs.destinations(TCP.key()).size());
        assertEquals(List.of(B6), ipvs.destinations(TCP6.key()));
    }

    @Test
    void aNewDestinationStartsWithoutConnectionsWhateverTheCallerSays() {
        ipvs.addService(TCP);
        ipvs.addDestination(TCP.key(), new RealServer(B1.address(), 8080, 1, 7, 9));
        assertEquals(List.of(B1), ipvs.destinations(TCP.key()));
    }

    @Test
    void addingADestinationTwiceIsEexistAndMissingOnesAreEnoent() {
        ipvs.addService(TCP);
        ipvs.addDestination(TCP.key(), B1);
        assertThrows(IpvsException.AlreadyExists.class, () -> ipvs.addDestination(TCP.key(), B1));
        assertThrows(IpvsException.AlreadyExists.class, () -> ipvs.addDestination(TCP.key(),
                new RealServer(B1.address(), 8080, 3, 0, 0)), "same address and port, other weight");
        assertThrows(IpvsException.NotFound.class, () -> ipvs.updateDestination(TCP.key(), B2));
        assertThrows(IpvsException.NotFound.class, () -> ipvs.deleteDestination(TCP.key(), B2));
        assertThrows(IpvsException.NotFound.class, () -> ipvs.deleteDestination(TCP.key(),
                RealServer.of(B1.address(), 9999)), "same address, other port");
        assertEquals(List.of(B1), ipvs.destinations(TCP.key()));
    }

    @Test
    void updatingADestinationChangesOnlyItsWeight() {
        ipvs.addService(TCP);
        ipvs.addDestination(TCP.key(), B1);
        ipvs.addDestination(TCP.key(), B2);
        ipvs.updateDestination(TCP.key(), new RealServer(B1.address(), 8080, 0, 0, 0));
        assertEquals(Set.of(new RealServer(B1.address(), 8080, 0, 0, 0), B2), new HashSet<>(ipvs.destinations(TCP.key())));
        ipvs.updateDestination(TCP.key(), new RealServer(B1.address(), 8080, 7, 0, 0));
        assertEquals(Set.of(new RealServer(B1.address(), 8080, 7, 0, 0), B2), new HashSet<>(ipvs.destinations(TCP.key())));
    }

    @Test
    void deletingADestinationOrAServiceTakesExactlyThat() {
        ipvs.addService(TCP);
        ipvs.addService(UDP);
        ipvs.addDestination(TCP.key(), B1);
        ipvs.addDestination(TCP.key(), B2);
        ipvs.addDestination(UDP.key(), B1);
        ipvs.deleteDestination(TCP.key(), B1);
        assertEquals(List.of(B2), ipvs.destinations(TCP.key()));
        assertEquals(List.of(B1), ipvs.destinations(UDP.key()), "the same backend of another service stays");
        ipvs.deleteService(TCP.key());
        assertEquals(List.of(UDP), ipvs.services());
        assertEquals(List.of(), ipvs.destinations(TCP.key()), "its destinations went with it");
        ipvs.addService(TCP);
        assertEquals(List.of(), ipvs.destinations(TCP.key()), "re-created empty");
    }

    @Test
    void flushDeletesEveryServiceAndDestination() {
        ipvs.addService(TCP);
        ipvs.addService(TCP6);
        ipvs.addDestination(TCP.key(), B1);
        ipvs.flush();
        assertEquals(List.of(), ipvs.services());
        assertEquals(List.of(), ipvs.destinations(TCP.key()));
        ipvs.addService(TCP);
        assertEquals(List.of(), ipvs.destinations(TCP.key()));
    }

    @Test
    void timeoutsAreSetAndAZeroFieldIsLeftAsItWas() {
        ipvs.setTimeouts(new IpvsTimeouts(901, 121, 301));
        assertEquals(new IpvsTimeouts(901, 121, 301), ipvs.timeouts());
        ipvs.setTimeouts(new IpvsTimeouts(0, 60, 0));
        assertEquals(new IpvsTimeouts(901, 60, 301), ipvs.timeouts());
        ipvs.setTimeouts(new IpvsTimeouts(900, 120, 300));
        assertEquals(new IpvsTimeouts(900, 120, 300), ipvs.timeouts());
    }

    @Test
    void everyCallIsOneMessageRefusedOrNot() {
        long before = ipvs.messagesSent();
        ipvs.services();
        ipvs.addService(TCP);
        ipvs.addDestination(TCP.key(), B1);
        ipvs.destinations(TCP.key());
        ipvs.destinations(MISSING);
        assertThrows(IpvsException.class, () -> ipvs.addService(TCP));
        assertThrows(IpvsException.class, () -> ipvs.deleteService(MISSING));
        ipvs.updateDestination(TCP.key(), new RealServer(B1.address(), 8080, 0, 0, 0));
        ipvs.deleteDestination(TCP.key(), B1);
        ipvs.timeouts();
        ipvs.setTimeouts(new IpvsTimeouts(900, 120, 300));
        ipvs.deleteService(TCP.key());
        assertEquals(12, ipvs.messagesSent() - before, "12 calls, 12 messages (a dump is one request)");
        assertTrue(ipvs.services().isEmpty());
    }
}
