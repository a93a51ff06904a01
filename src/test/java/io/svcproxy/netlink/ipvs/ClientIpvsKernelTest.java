package io.svcproxy.netlink.ipvs;

import io.svcproxy.ipvs.IpvsApplyException;
import io.svcproxy.ipvs.IpvsOp;
import io.svcproxy.ipvs.IpvsState;
import io.svcproxy.ipvs.RealServer;
import io.svcproxy.ipvs.VirtualServer;
import io.svcproxy.model.Addresses;
import io.svcproxy.model.Protocol;
import io.svcproxy.netlink.NetlinkConstants;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The IpvsKernel facade on the in-memory fakes, and the fakes' kernel errno semantics. */
class ClientIpvsKernelTest {
    private static final InetAddress VIP = Addresses.parseIp("10.96.0.10");
    private static final VirtualServer SVC = new VirtualServer(VIP, Protocol.TCP, 80, "rr", 0, 0, 0xffffffff);
    private static final RealServer B1 = RealServer.of(Addresses.parseIp("10.244.1.2"), 8080);
    private static final RealServer B2 = RealServer.of(Addresses.parseIp("10.244.0.9"), 8080);

    private final FakeIpvsClient ipvs = new FakeIpvsClient();
    private final FakeKubeIpvsInterface iface = new FakeKubeIpvsInterface();
    private final ClientIpvsKernel kernel = new ClientIpvsKernel(ipvs, iface);

    @Test
    void appliesOpsInOrderAndReadsThemBack() {
        int applied = kernel.apply(List.of(new IpvsOp.AddService(SVC), new IpvsOp.AddDestination(SVC.key(), B1),
                new IpvsOp.AddDestination(SVC.key(), B2), new IpvsOp.BindAddress(VIP)));
        assertEquals(4, applied);
        assertEquals(3, ipvs.messagesSent());
        IpvsState s = kernel.read();
        assertEquals(SVC, s.services().get(SVC.key()));
        assertEquals(List.of(B2, B1), s.destinationsOf(SVC.key()), "destinations sorted by address");
        assertEquals(Set.of(VIP), s.boundAddresses());
        assertEquals(1, ipvs.count("services"));
        assertEquals(1, ipvs.count("destinations"));

        kernel.apply(List.of(new IpvsOp.UpdateDestination(SVC.key(), new RealServer(B1.address(), 8080, 0, 0, 0))));
        assertEquals(0, kernel.read().destinationsOf(SVC.key()).get(1).weight());
        kernel.apply(List.of(new IpvsOp.DeleteDestination(SVC.key(), B1), new IpvsOp.UnbindAddress(VIP),
                new IpvsOp.DeleteService(SVC.key())));
        assertEquals(IpvsState.empty(), kernel.read());
    }

    @Test
    void readsTheDestinationsOfJustTheServicesAsked() {
        VirtualServer other = new VirtualServer(VIP, Protocol.TCP, 443, "rr", 0, 0, 0xffffffff);
        VirtualServer.Key missing = new VirtualServer(VIP, Protocol.TCP, 81, "rr", 0, 0, 0xffffffff).key();
        kernel.apply(List.of(new IpvsOp.AddService(SVC), new IpvsOp.AddDestination(SVC.key(), B1),
                new IpvsOp.AddDestination(SVC.key(), B2), new IpvsOp.AddService(other),
                new IpvsOp.AddDestination(other.key(), B1), new IpvsOp.BindAddress(VIP)));
        ipvs.setConnections(SVC.key(), B1, 3, 4);
        ipvs.resetCounts();
        int addressReads = iface.reads();
        Map<VirtualServer.Key, List<RealServer>> read = kernel.readDestinations(List.of(SVC.key(), missing));
        assertEquals(Map.of(SVC.key(), List.of(B2, new RealServer(B1.address(), 8080, 1, 3, 4)), missing, List.of()),
                read, "sorted as a full read, with connection counts; a missing service reads empty, as in the kernel");
        assertEquals(List.of(SVC.key(), missing), ipvs.destinationDumps(), "one dump per service asked");
        assertEquals(0, ipvs.count("services"), "no service dump");
        assertEquals(2, ipvs.messagesSent());
        assertEquals(addressReads, iface.reads(), "no address dump");
        assertEquals(Map.of(), kernel.readDestinations(List.of()));
        assertEquals(2, ipvs.messagesSent());
    }

    @Test
    void stopsAtTheFirstRefusalNamingTheOp() {
        IpvsOp bad = new IpvsOp.AddDestination(new VirtualServer(VIP, Protocol.UDP, 53, "rr", 0, 0, -1).key(), B1);
        IpvsApplyException e = assertThrows(IpvsApplyException.class, () -> kernel.apply(List.of(
                new IpvsOp.AddService(SVC), bad, new IpvsOp.BindAddress(VIP))));
        assertEquals(1, e.applied());
        assertEquals(bad, e.op());
        assertInstanceOf(IpvsException.NoSuchService.class, e.getCause());
        assertTrue(iface.bound().isEmpty(), "ops after the failure are not applied");
        assertEquals(Set.of(SVC.key()), kernel.read().services().keySet());
    }

    @Test
    void fakeHasTheKernelsErrnos() {
        ipvs.addService(SVC);
        assertErrno(NetlinkConstants.EEXIST, IpvsException.AlreadyExists.class, () -> ipvs.addService(SVC));
        VirtualServer missing = new VirtualServer(VIP, Protocol.TCP, 81, "rr", 0, 0, -1);
        assertErrno(NetlinkConstants.ESRCH, IpvsException.NoSuchService.class, () -> ipvs.deleteService(missing.key()));
        assertErrno(NetlinkConstants.ESRCH, IpvsException.NoSuchService.class, () -> ipvs.updateService(missing));
        assertErrno(NetlinkConstants.ESRCH, IpvsException.NoSuchService.class, () -> ipvs.addDestination(missing.key(), B1));
        assertEquals(List.of(), ipvs.destinations(missing.key()), "the kernel dumps a missing service's destinations empty");
        ipvs.addDestination(SVC.key(), B1);
        assertErrno(NetlinkConstants.EEXIST, IpvsException.AlreadyExists.class, () -> ipvs.addDestination(SVC.key(), B1));
        assertErrno(NetlinkConstants.ENOENT, IpvsException.NotFound.class, () -> ipvs.deleteDestination(SVC.key(), B2));
        assertErrno(NetlinkConstants.ENOENT, IpvsException.NotFound.class, () -> ipvs.updateDestination(SVC.key(), B2));
        assertErrno(NetlinkConstants.ENOENT, IpvsException.NotFound.class,
                () -> ipvs.addService(new VirtualServer(VIP, Protocol.TCP, 82, "nosuchsched", 0, 0, -1)));
        ipvs.deleteService(SVC.key());
        assertTrue(ipvs.services().isEmpty());
        assertEquals(3, ipvs.count("addService"), "every command is counted, refused ones too");
    }

    @Test
    void fakeTimeoutsKeepZeroFieldsAndInjectsFailures() {
        ipvs.setTimeouts(new IpvsTimeouts(0, 30, 0));
        assertEquals(new IpvsTimeouts(900, 30, 300), ipvs.timeouts());
        ipvs.failNext("addService", NetlinkConstants.EPERM);
        IpvsException e = assertThrows(IpvsException.class, () -> ipvs.addService(SVC));
        assertEquals(NetlinkConstants.EPERM, e.errno());
        ipvs.addService(SVC);
        ipvs.flush();
        assertTrue(ipvs.services().isEmpty());
    }

    private static void assertErrno(int errno, Class<? extends IpvsException> type, Runnable r) {
        IpvsException e = assertThrows(IpvsException.class, r::run);
        assertInstanceOf(type, e);
        assertEquals(errno, e.errno());
    }
}
