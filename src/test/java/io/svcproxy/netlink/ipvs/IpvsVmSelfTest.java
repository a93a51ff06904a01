package io.svcproxy.netlink.ipvs;

import io.svcproxy.ipvs.IpvsOp;
import io.svcproxy.ipvs.IpvsState;
import io.svcproxy.ipvs.RealServer;
import io.svcproxy.ipvs.VirtualServer;
import io.svcproxy.model.Addresses;
import io.svcproxy.model.Protocol;
import io.svcproxy.netlink.GenericNetlink;
import io.svcproxy.netlink.Netlink;
import io.svcproxy.netlink.NetlinkConstants;
import io.svcproxy.netlink.NetlinkMessage;
import io.svcproxy.netlink.NetlinkMessageBuilder;
import io.svcproxy.netlink.NetlinkSocket;
import io.svcproxy.netlink.NetworkNamespaces;
import io.svcproxy.netlink.route.RouteMessages;
import io.svcproxy.testing.HexFixture;
import io.svcproxy.testing.NetNs;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * A test tool, not a unit test: the IPVS netlink client against a real IPVS kernel. It runs as root
 * inside the IPVS VM (shared/tools/run-in-ipvs-vm.sh; IpvsVmIT boots it), builds namespaces
 * (a "node" with kube-ipvs0 and IPVS, a client, three socat backends on veths), programs IPVS through
 * {@link ClientIpvsKernel}, checks the state through our dump and through ipvsadm, sends TCP and UDP
 * traffic to the VIP, drains and deletes a destination, deletes everything, and checks the kernel's
 * errnos. Prints "IPVS SELFTEST PASSED" and exits 0, or exits 1 at the first failed check.
 * <p>
 * {@code --record DIR} also writes the kernel replies of test-fixtures/netlink to DIR, and in DIR/ipvsadm
 * what the real ipvsadm sends (strace byte dumps; IpvsadmRequestsTest compares our requests with them).
 */
public final class IpvsVmSelfTest {
    private static final InetAddress VIP = Addresses.parseIp("10.96.0.10");
    private static final InetAddress VIP6 = Addresses.parseIp("fd00:96::10");
    private static final long T0 = System.nanoTime();

    private final List<NetNs> namespaces = new ArrayList<>();
    private final List<Process> servers = new ArrayList<>();
    private NetNs node;
    private NetNs client;
    private final List<InetAddress> backends = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        Path record = args.length == 2 && args[0].equals("--record") ? Path.of(args[1]) : null;
        IpvsVmSelfTest t = new IpvsVmSelfTest();
        int rc = 0;
        try {
            t.run(record);
            log("IPVS SELFTEST PASSED");
        } catch (Throwable e) {
            log("IPVS SELFTEST FAILED: " + e);
            e.printStackTrace(System.out);
            rc = 1;
        } finally {
            t.cleanup();
        }
        System.out.flush();
        System.exit(rc);
    }

    static void log(String message) {
        System.out.printf("[%6.1fs] %s%n", (System.nanoTime() - T0) / 1e9, message);
        System.out.flush();
    }

    static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError("check failed: " + what);
        }
        log("ok: " + what);
    }

    static <T> void checkEquals(T expected, T actual, String what) {
        check(expected.equals(actual), what + (expected.equals(actual) ? "" : "\n  expected: " + expected
                + "\n  actual:   " + actual));
    }

    @FunctionalInterface
    interface Action {
        void run();
    }

    static void expect(Class<? extends IpvsException> type, Action action, String what) {
        try {
            action.run();
        } catch (IpvsException e) {
            check(type.isInstance(e), what + " -> " + type.getSimpleName() + " (got " + e.getClass().getSimpleName()
                    + " " + e.errnoName() + ")");
            return;
        }
        throw new AssertionError(what + ": expected " + type.getSimpleName() + ", nothing thrown");
    }

    private String nsFile(NetNs ns) {
        return "/run/netns/" + ns.name();
    }

    private void run(Path record) throws Exception {
        log("kernel " + System.getProperty("os.version") + ", java " + System.getProperty("java.version"));
        topology();
        ClientIpvsKernel kernel = NetworkNamespaces.callIn(nsFile(node), ClientIpvsKernel::open);
        try {
            scenario(kernel);
        } finally {
            kernel.close();
        }
        if (record != null) {
            record(record);
        }
    }

    private void topology() throws Exception {
        node = ns();
        client = ns();
        node.runChecked("sysctl", "-qw", "net.ipv4.ip_forward=1");
        veth(client, "vcl", 1);
        for (int i = 1; i <= 3; i++) {
            NetNs b = ns();
            veth(b, "vb" + i, i + 1);
            InetAddress addr = Addresses.parseIp("10.0." + (i + 1) + ".2");
            backends.add(addr);
            servers.add(start(b, "socat", "TCP-LISTEN:8080,fork,reuseaddr", "SYSTEM:echo tcp-b" + i));
            servers.add(start(b, "socat", "UDP-RECVFROM:8080,fork", "SYSTEM:echo udp-b" + i));
            for (int n = 0; n < 100 && b.run("ss", "-Hltn", "sport = :8080").stdout().isBlank(); n++) {
                Thread.sleep(100);
            }
        }
        log("topology: node " + node.name() + ", client " + client.name() + ", backends " + backends);
    }

    private NetNs ns() {
        NetNs n = NetNs.create();
        namespaces.add(n);
        n.runChecked("ip", "link", "set", "lo", "up");
        return n;
    }

    /** veth: node side NAME with 10.0.SUBNET.1/24, peer eth0 in {@code other} with .2 and a default route. */
    private void veth(NetNs other, String name, int subnet) {
        node.runChecked("ip", "link", "add", name, "type", "veth", "peer", "name", "eth0", "netns", other.name());
        node.runChecked("ip", "addr", "add", "10.0." + subnet + ".1/24", "dev", name);
        node.runChecked("ip", "link", "set", name, "up");
        other.runChecked("ip", "addr", "add", "10.0." + subnet + ".2/24", "dev", "eth0");
        other.runChecked("ip", "link", "set", "eth0", "up");
        other.runChecked("ip", "route", "add", "default", "via", "10.0." + subnet + ".1");
    }

    private Process start(NetNs ns, String... argv) throws Exception {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns.name()));
        full.addAll(List.of(argv));
        return new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    private static VirtualServer service(InetAddress vip, Protocol p, int port) {
        return new VirtualServer(vip, p, port, "rr", 0, 0, vip.getAddress().length == 4 ? 0xffffffff : 128);
    }

    private void scenario(ClientIpvsKernel kernel) throws Exception {
        IpvsClient ipvs = kernel.client();
        check(ipvs instanceof NetlinkIpvsClient n && n.family().id() >= NetlinkConstants.GENL_ID_CTRL,
                "IPVS generic netlink family resolved: " + ((NetlinkIpvsClient) ipvs).family());
        IpvsState empty = kernel.read();
        check(empty.services().isEmpty() && empty.boundAddresses().isEmpty(), "fresh namespace reads empty");
        String link = node.runChecked("ip", "-d", "link", "show", "kube-ipvs0");
        check(link.contains("dummy"), "kube-ipvs0 created as a dummy interface");

        VirtualServer tcp = service(VIP, Protocol.TCP, 80);
        VirtualServer udp = service(VIP, Protocol.UDP, 80);
        VirtualServer tcp6 = service(VIP6, Protocol.TCP, 80);
        List<IpvsOp> ops = new ArrayList<>();
        ops.add(new IpvsOp.AddService(tcp));
        ops.add(new IpvsOp.AddService(udp));
        ops.add(new IpvsOp.AddService(tcp6));
        for (InetAddress b : backends) {
            ops.add(new IpvsOp.AddDestination(tcp.key(), RealServer.of(b, 8080)));
            ops.add(new IpvsOp.AddDestination(udp.key(), RealServer.of(b, 8080)));
        }
        ops.add(new IpvsOp.AddDestination(tcp6.key(), RealServer.of(Addresses.parseIp("fd00:1::2"), 8080)));
        ops.add(new IpvsOp.BindAddress(VIP));
        ops.add(new IpvsOp.BindAddress(VIP6));
        long before = ipvs.messagesSent();
        checkEquals(ops.size(), kernel.apply(ops), "apply " + ops.size() + " ops");
        checkEquals((long) ops.size() - 2, ipvs.messagesSent() - before, "one netlink IPVS command per service/destination op");

        IpvsState state = kernel.read();
        checkEquals(Set.of(tcp.key(), udp.key(), tcp6.key()), state.services().keySet(), "dumped service keys");
        checkEquals(tcp, state.services().get(tcp.key()), "dumped TCP service equals the one added");
        checkEquals(tcp6, state.services().get(tcp6.key()), "dumped IPv6 service equals the one added");
        List<RealServer> expectedDests = backends.stream().map(b -> RealServer.of(b, 8080)).toList();
        checkEquals(expectedDests, state.destinationsOf(tcp.key()), "dumped TCP destinations");
        checkEquals(expectedDests, state.destinationsOf(udp.key()), "dumped UDP destinations");
        checkEquals(Set.of(VIP, VIP6), state.boundAddresses(), "addresses bound to kube-ipvs0");
        // What a partial sync reads: some services' destinations, one dump each. The kernel dumps a
        // missing service's destinations empty, without ESRCH (FakeIpvsClient does the same).
        VirtualServer.Key absent = service(VIP, Protocol.TCP, 81).key();
        checkEquals(List.of(), ipvs.destinations(absent), "destinations of a missing service dump empty, no ESRCH");
        before = ipvs.messagesSent();
        Map<VirtualServer.Key, List<RealServer>> some = kernel.readDestinations(List.of(tcp.key(), tcp6.key(), absent));
        checkEquals(Map.of(tcp.key(), state.destinationsOf(tcp.key()), tcp6.key(), state.destinationsOf(tcp6.key()),
                absent, List.of()), some, "readDestinations equals the full read for the services asked");
        checkEquals(3L, ipvs.messagesSent() - before, "readDestinations: one dump per service asked");
        String addrs = node.runChecked("ip", "addr", "show", "dev", "kube-ipvs0");
        check(addrs.contains("inet 10.96.0.10/32") && addrs.contains("inet6 fd00:96::10/128"), "ip addr shows /32 and /128");

        String ipvsadm = node.runChecked("ipvsadm", "-Ln");
        log("ipvsadm -Ln:\n" + ipvsadm);
        check(ipvsadm.contains("TCP  10.96.0.10:80 rr") && ipvsadm.contains("UDP  10.96.0.10:80 rr")
                && ipvsadm.contains("TCP  [fd00:96::10]:80 rr"), "ipvsadm lists the three services");
        for (InetAddress b : backends) {
            check(ipvsadm.matches("(?s).*-> " + b.getHostAddress().replace(".", "\\.") + ":8080\\s+Masq\\s+1\\s.*"),
                    "ipvsadm lists " + b.getHostAddress() + ":8080 Masq weight 1");
        }

        // The kernel's errnos, typed.
        expect(IpvsException.AlreadyExists.class, () -> ipvs.addService(tcp), "add existing service");
        expect(IpvsException.NoSuchService.class, () -> ipvs.deleteService(service(VIP, Protocol.TCP, 81).key()),
                "delete missing service");
        expect(IpvsException.NoSuchService.class, () -> ipvs.updateService(service(VIP, Protocol.TCP, 81)),
                "update missing service");
        expect(IpvsException.NoSuchService.class, () -> ipvs.addDestination(service(VIP, Protocol.TCP, 81).key(),
                RealServer.of(backends.get(0), 8080)), "destination of missing service");
        expect(IpvsException.AlreadyExists.class, () -> ipvs.addDestination(tcp.key(), RealServer.of(backends.get(0), 8080)),
                "add existing destination");
        expect(IpvsException.NotFound.class, () -> ipvs.deleteDestination(tcp.key(), RealServer.of(backends.get(0), 9999)),
                "delete missing destination");
        expect(IpvsException.NotFound.class, () -> ipvs.updateDestination(tcp.key(), RealServer.of(backends.get(0), 9999)),
                "update missing destination");
        expect(IpvsException.NotFound.class, () -> ipvs.addService(
                new VirtualServer(VIP, Protocol.TCP, 82, "nosuchsched", 0, 0, 0xffffffff)), "unknown scheduler");

        // Update a service: persistence (session affinity) on and off.
        VirtualServer sticky = new VirtualServer(VIP, Protocol.UDP, 80, "rr", IpvsConstants.IP_VS_SVC_F_PERSISTENT,
                10800, 0xffffffff);
        ipvs.updateService(sticky);
        checkEquals(sticky, kernel.read().services().get(udp.key()), "update service to persistent 10800s reads back");
        check(node.runChecked("ipvsadm", "-Ln", "-u", "10.96.0.10:80").contains("persistent 10800"), "ipvsadm shows persistence");
        ipvs.updateService(udp);
        checkEquals(udp, kernel.read().services().get(udp.key()), "persistence off again");

        // Firewall-mark services are not ours: skipped when reading.
        node.runChecked("ipvsadm", "-A", "-f", "7", "-s", "rr");
        checkEquals(3, ipvs.services().size(), "a firewall-mark service is left out of services()");
        node.runChecked("ipvsadm", "-D", "-f", "7");

        // Timeouts.
        IpvsTimeouts original = ipvs.timeouts();
        log("timeouts: " + original);
        ipvs.setTimeouts(new IpvsTimeouts(901, 121, 301));
        checkEquals(new IpvsTimeouts(901, 121, 301), ipvs.timeouts(), "timeouts set and read back");
        check(node.runChecked("ipvsadm", "-Ln", "--timeout").contains("901 121 301"), "ipvsadm shows the timeouts");
        ipvs.setTimeouts(original);

        // Traffic: TCP and UDP round-robin over the three backends.
        checkEquals(Set.of("tcp-b1", "tcp-b2", "tcp-b3"), requests(false, 6), "TCP to the VIP reaches all 3 backends");
        // UDP: a datagram may be lost (the first one of a flow races neighbour resolution), and under TCG on a
        // loaded host a round's replies can miss their window: up to 6 rounds.
        Set<String> udpReplies = new TreeSet<>();
        for (int round = 0; round < 6 && udpReplies.size() < 3; round++) {
            udpReplies.addAll(requests(true, 6));
        }
        checkEquals(Set.of("udp-b1", "udp-b2", "udp-b3"), udpReplies, "UDP to the VIP reaches all 3 backends");

        // Drain backend 3 (weight 0), then delete it.
        RealServer drained = new RealServer(backends.get(2), 8080, 0, 0, 0);
        kernel.apply(List.of(new IpvsOp.UpdateDestination(tcp.key(), drained)));
        RealServer read3 = kernel.read().destinationsOf(tcp.key()).get(2);
        checkEquals(0, read3.weight(), "destination 3 drained to weight 0");
        check(node.runChecked("ipvsadm", "-Ln", "-t", "10.96.0.10:80").matches("(?s).*10\\.0\\.4\\.2:8080\\s+Masq\\s+0\\s.*"),
                "ipvsadm shows weight 0");
        checkEquals(Set.of("tcp-b1", "tcp-b2"), requests(false, 6), "a drained destination gets no new connections");
        kernel.apply(List.of(new IpvsOp.DeleteDestination(tcp.key(), drained)));
        List<RealServer> left = kernel.read().destinationsOf(tcp.key());
        log("destinations left (with the kernel's connection counters): " + left);
        checkEquals(expectedDests.subList(0, 2).stream().map(RealServer::key).toList(),
                left.stream().map(RealServer::key).toList(), "destination 3 deleted");
        check(left.stream().mapToInt(d -> d.activeConnections() + d.inactiveConnections()).sum() > 0,
                "connection counters are read from the kernel");

        // Delete everything.
        List<IpvsOp> teardown = new ArrayList<>();
        teardown.add(new IpvsOp.UnbindAddress(VIP));
        teardown.add(new IpvsOp.UnbindAddress(VIP6));
        teardown.add(new IpvsOp.DeleteService(tcp.key()));
        teardown.add(new IpvsOp.DeleteService(udp.key()));
        teardown.add(new IpvsOp.DeleteService(tcp6.key()));
        kernel.apply(teardown);
        IpvsState end = kernel.read();
        check(end.services().isEmpty() && end.boundAddresses().isEmpty(), "everything deleted: " + end);
        String after = node.runChecked("ipvsadm", "-Ln");
        check(!after.contains("TCP ") && !after.contains("UDP "), "ipvsadm lists no service");
        kernel.apply(List.of(new IpvsOp.UnbindAddress(VIP)));
        log("ok: unbinding an unbound address is a no-op");
        kernel.kubeIpvsInterface().delete();
        check(node.run("ip", "link", "show", "kube-ipvs0").exitCode() != 0, "kube-ipvs0 deleted");
        oursEqualsIpvsadmLive(((NetlinkIpvsClient) ipvs).family().id());
    }

    /**
     * Live, on this kernel and this ipvsadm: what ipvsadm sends (strace's byte dump, read by the
     * independent decoder) equals what we send for the same service, byte for byte; the recorded
     * version of this is test-fixtures/netlink/ipvsadm and IpvsadmRequestsTest.
     */
    private void oursEqualsIpvsadmLive(int familyId) throws Exception {
        Path trace = Files.createTempFile("ipvsadm-", ".strace");
        try {
            node.runChecked(List.of("strace", "-e", "trace=sendmsg", "-e", "write=all", "-xx", "-s", "65535",
                    "-o", trace.toString(), "ipvsadm", "-A", "-t", "10.96.0.10:80", "-s", "rr"), null);
            List<byte[]> sent = IndependentIpvsDecoder.straceBuffers(trace).stream()
                    .filter(b -> IndependentIpvsDecoder.decode(b).type() == familyId
                            && IndependentIpvsDecoder.decode(b).cmd() == IpvsConstants.IPVS_CMD_NEW_SERVICE).toList();
            checkEquals(1, sent.size(), "ipvsadm -A sent one IPVS_CMD_NEW_SERVICE");
            IndependentIpvsDecoder.Message theirs = IndependentIpvsDecoder.decode(sent.get(0));
            byte[] ours = IpvsMessages.newService(familyId, service(VIP, Protocol.TCP, 80), ByteOrder.nativeOrder())
                    .build(theirs.seq(), theirs.pid());
            checkEquals(java.util.HexFormat.of().formatHex(sent.get(0)), java.util.HexFormat.of().formatHex(ours),
                    "our NEW_SERVICE TCP 10.96.0.10:80 rr is byte-exact with ipvsadm's");
        } finally {
            node.run("ipvsadm", "-C");
            Files.deleteIfExists(trace);
        }
    }

    /** The distinct replies of {@code n} concurrent requests from the client namespace to VIP:80. */
    private Set<String> requests(boolean udp, int n) throws Exception {
        List<CompletableFuture<String>> replies = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Supplier<String> one = () -> client.run(udp
                    ? List.of("socat", "-T2", "-", "UDP:10.96.0.10:80")
                    : List.of("socat", "-T3", "-", "TCP:10.96.0.10:80,connect-timeout=3"), "ping\n").stdout().trim();
            // TCP one after the other (rr order); UDP concurrently (each waits out socat's idle timeout)
            replies.add(udp ? CompletableFuture.supplyAsync(one) : CompletableFuture.completedFuture(one.get()));
        }
        Set<String> out = new TreeSet<>();
        for (CompletableFuture<String> r : replies) {
            String reply = r.get();
            if (!reply.isEmpty() || !udp) {
                out.add(reply);   // an unanswered datagram is no reply; a TCP request must always answer
            }
        }
        log((udp ? "UDP" : "TCP") + " replies: " + out);
        return out;
    }

    // ------------------------------------------------------------------------------- recording

    /** Writes the golden messages: our requests (accepted by this kernel) and the kernel's replies. */
    private void record(Path dir) throws Exception {
        Files.createDirectories(dir);
        String kernelVersion = System.getProperty("os.version");
        NetworkNamespaces.callIn(nsFile(node), () -> {
            ByteOrder order = ByteOrder.nativeOrder();
            try (NetlinkSocket s = Netlink.open(NetlinkConstants.NETLINK_GENERIC)) {
                NetlinkMessageBuilder getFamily = GenericNetlink.getFamilyRequest("IPVS", order);
                List<NetlinkMessage> famReply = s.request(getFamily, "getfamily");
                GenericNetlink.Family fam = GenericNetlink.parseFamily(famReply.get(0));
                int id = fam.id();
                List<String> meta = List.of("family-id: " + id, "kernel: " + kernelVersion,
                        "byte-order: " + order);
                write(dir, "genl-ctrl-getfamily-ipvs-reply", "the kernel's CTRL_CMD_NEWFAMILY reply for IPVS", meta,
                        encode(famReply));

                VirtualServer svc = service(VIP, Protocol.TCP, 80);
                VirtualServer svc6 = new VirtualServer(VIP6, Protocol.UDP, 53, "wrr", IpvsConstants.IP_VS_SVC_F_PERSISTENT, 10800, 128);
                RealServer dest = RealServer.of(Addresses.parseIp("10.0.2.2"), 8080);
                NetlinkMessageBuilder newSvc = IpvsMessages.newService(id, svc, order);
                NetlinkMessageBuilder newSvc6 = IpvsMessages.newService(id, svc6, order);
                NetlinkMessageBuilder newDest = IpvsMessages.newDest(id, svc.key(), dest, order);
                NetlinkMessageBuilder setDest = IpvsMessages.setDest(id, svc.key(), new RealServer(dest.address(), 8080, 0, 0, 0), order);
                s.acknowledged(newSvc, "new service");
                s.acknowledged(newSvc6, "new service6");
                s.acknowledged(newDest, "new dest");
                NetlinkMessageBuilder getSvcs = IpvsMessages.getServices(id, order);
                write(dir, "ipvs-get-service-dump-reply", "the kernel's dump reply: TCP 10.96.0.10:80 rr and UDP [fd00:96::10]:53 wrr persistent", meta,
                        encode(s.dump(getSvcs, "dump services")));
                NetlinkMessageBuilder getDests = IpvsMessages.getDests(id, svc.key(), order);
                write(dir, "ipvs-get-dest-dump-reply", "the kernel's dump reply: 10.0.2.2:8080 masq weight 1", meta,
                        encode(s.dump(getDests, "dump dests")));
                s.acknowledged(setDest, "set dest");
                NetlinkMessageBuilder delDest = IpvsMessages.delDest(id, svc.key(), dest, order);
                s.acknowledged(delDest, "del dest");
                NetlinkMessageBuilder delSvc = IpvsMessages.delService(id, svc.key(), order);
                s.acknowledged(delSvc, "del svc");
                NetlinkMessageBuilder getConfig = IpvsMessages.getConfig(id, order);
                write(dir, "ipvs-get-config-reply", "the kernel's reply to IPVS_CMD_GET_CONFIG (default timeouts)", meta,
                        encode(s.request(getConfig, "get config")));
                s.acknowledged(IpvsMessages.flush(id, order), "flush");
            }
            try (NetlinkSocket r = Netlink.open(NetlinkConstants.NETLINK_ROUTE)) {
                List<String> meta = List.of("kernel: " + kernelVersion, "byte-order: " + order);
                NetlinkMessageBuilder newLink = RouteMessages.newDummyLink("kube-ipvs0", order);
                r.acknowledged(newLink, "newlink");
                write(dir, "rtm-newlink-dummy-request", "RTM_NEWLINK kube-ipvs0 kind dummy (accepted)", meta, newLink.build(1, 0));
                List<NetlinkMessage> linkReply = r.request(RouteMessages.getLink("kube-ipvs0", order), "getlink");
                int index = RouteMessages.parseLink(linkReply.get(0)).index();
                NetlinkMessageBuilder newAddr = RouteMessages.newAddress(index, VIP, order);
                r.acknowledged(newAddr, "newaddr");
                write(dir, "rtm-newaddr-request", "RTM_NEWADDR 10.96.0.10/32 on ifindex " + index + " (accepted)",
                        List.of("ifindex: " + index, "kernel: " + kernelVersion, "byte-order: " + order), newAddr.build(1, 0));
                NetlinkMessageBuilder newAddr6 = RouteMessages.newAddress(index, VIP6, order);
                r.acknowledged(newAddr6, "newaddr6");
                List<NetlinkMessage> ours = new ArrayList<>();
                for (NetlinkMessage m : r.dump(RouteMessages.getAddresses(order), "getaddr")) {
                    if (RouteMessages.parseAddress(m).map(a -> a.index() == index).orElse(false)) {
                        ours.add(m);
                    }
                }
                write(dir, "rtm-getaddr-dump-reply", "the kernel's RTM_NEWADDR dump messages for kube-ipvs0 (ifindex "
                        + index + "): 10.96.0.10/32 and fd00:96::10/128", List.of("ifindex: " + index, "kernel: " + kernelVersion), encode(ours));
            }
            return null;
        });
        recordIpvsadm(dir.resolve("ipvsadm"));
        log("recorded golden messages in " + dir);
    }

    /**
     * What the real ipvsadm sends, the independent bytes IpvsadmRequestsTest compares our encoder with:
     * each command under {@code strace -e write=all}, which dumps every byte of every sendmsg, into
     * DIR/NAME.strace, in this order (each needs the state the ones before left), in the node namespace
     * (its veths make 10.0.2.2 a unicast destination, which IPVS requires).
     */
    static final List<List<String>> IPVSADM = List.of(
            List.of("add-service", "ipvsadm", "-A", "-t", "10.96.0.10:80", "-s", "rr"),
            List.of("add-service6", "ipvsadm", "-A", "-u", "[fd00:96::10]:53", "-s", "wrr", "-p", "10800", "-M", "128"),
            List.of("add-dest", "ipvsadm", "-a", "-t", "10.96.0.10:80", "-r", "10.0.2.2:8080", "-m", "-w", "1"),
            List.of("list", "ipvsadm", "-Ln"),
            List.of("edit-dest", "ipvsadm", "-e", "-t", "10.96.0.10:80", "-r", "10.0.2.2:8080", "-m", "-w", "0"),
            List.of("edit-service6", "ipvsadm", "-E", "-u", "[fd00:96::10]:53", "-s", "rr"),
            List.of("del-dest", "ipvsadm", "-d", "-t", "10.96.0.10:80", "-r", "10.0.2.2:8080"),
            List.of("del-service", "ipvsadm", "-D", "-t", "10.96.0.10:80"),
            List.of("set-timeouts", "ipvsadm", "--set", "901", "121", "301"),
            List.of("get-timeouts", "ipvsadm", "-Ln", "--timeout"),
            List.of("flush", "ipvsadm", "-C"));

    private void recordIpvsadm(Path dir) throws Exception {
        Files.createDirectories(dir);
        List<String> about = new ArrayList<>(List.of(
                "recorded by IpvsVmSelfTest --record in the IPVS VM (shared/tools/run-in-ipvs-vm.sh)",
                "kernel: " + System.getProperty("os.version"),
                "ipvsadm: " + node.runChecked("ipvsadm", "--version").trim(),
                "strace: " + node.runChecked("strace", "-V").lines().findFirst().orElse("?"),
                "each NAME.strace: strace -e trace=sendmsg -e write=all -xx -s 65535 -o NAME.strace COMMAND"));
        for (List<String> c : IPVSADM) {
            List<String> argv = new ArrayList<>(List.of("strace", "-e", "trace=sendmsg", "-e", "write=all", "-xx",
                    "-s", "65535", "-o", dir.resolve(c.get(0) + ".strace").toString()));
            argv.addAll(c.subList(1, c.size()));
            NetNs.Result res = node.run(argv, null);
            check(res.exitCode() == 0, c.get(0) + ": " + String.join(" ", c.subList(1, c.size())) + " " + res.stderr().trim());
            about.add(c.get(0) + ".strace: " + String.join(" ", c.subList(1, c.size())));
        }
        node.runChecked("ipvsadm", "--set", "900", "120", "300");
        Files.write(dir.resolve("recorded.txt"), about);
    }

    private static void write(Path dir, String name, String what, List<String> meta, byte[] bytes) {
        List<String> comments = new ArrayList<>();
        comments.add(what);
        comments.add("recorded by IpvsVmSelfTest --record in the IPVS VM (shared/tools/run-in-ipvs-vm.sh)");
        comments.addAll(meta);
        HexFixture.write(dir.resolve(name + ".hex"), comments, bytes);
    }

    /** Messages back to their wire bytes: the 16-byte header, payload, padding to 4 bytes. */
    static byte[] encode(List<NetlinkMessage> messages) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (NetlinkMessage m : messages) {
            int len = NetlinkConstants.NLMSG_HDRLEN + m.payload().length;
            ByteBuffer h = ByteBuffer.allocate(NetlinkConstants.NLMSG_HDRLEN).order(m.order());
            h.putInt(len).putShort((short) m.type()).putShort((short) m.flags()).putInt(m.seq()).putInt(m.portId());
            out.writeBytes(h.array());
            out.writeBytes(m.payload());
            out.writeBytes(new byte[((len + 3) & ~3) - len]);
        }
        return out.toByteArray();
    }

    private void cleanup() {
        for (Process p : servers) {
            p.destroyForcibly();
        }
        for (NetNs n : namespaces) {
            try {
                n.close();
            } catch (RuntimeException e) {
                log("cleanup: " + e.getMessage());
            }
        }
    }
}
