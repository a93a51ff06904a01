package io.svcproxy.it;

import io.svcproxy.netlink.NetworkNamespaces;
import io.svcproxy.testing.NetNs;
import io.svcproxy.testing.topology.ClusterFile;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A test tool, not a unit test: the packaged daemon in IPVS mode against a real IPVS kernel. It runs
 * as root inside the IPVS VM (IpvsDaemonVmIT boots it): a "node" namespace runs
 * {@code svcproxy run --proxy-mode ipvs --cluster FILE} as a child process; a client and three socat
 * backends hang off it on veths. Checks: ipvsadm shows the plan; TCP and UDP from the client to the
 * ClusterIP reach the three backends; removing an endpoint from the file drains it (weight 0 while a
 * connection is open) and then deletes it; SIGKILL and a restart change nothing in IPVS (no flush);
 * {@code svcproxy cleanup} leaves no IPVS service, no kube-ipvs0 and no KUBE-* ipset, but a foreign
 * IPVS service and a foreign ipset survive. Prints "IPVS DAEMON SELFTEST PASSED" and exits 0, or
 * exits 1 at the first failed check.
 *
 * <p>Argument: the packaged jar.
 */
public final class IpvsDaemonVmSelfTest {
    private static final String VIP = "10.96.0.10";
    private static final long T0 = System.nanoTime();

    private final Path jar;
    private final List<NetNs> namespaces = new ArrayList<>();
    private final List<Process> servers = new ArrayList<>();
    private final List<String> backends = new ArrayList<>();
    private NetNs node;
    private NetNs client;
    private Path dir;
    private ClusterFile cluster;
    private Process daemon;
    private Path log;

    private IpvsDaemonVmSelfTest(Path jar) {
        this.jar = jar;
    }

    public static void main(String[] args) throws Exception {
        System.setProperty(SvcproxyJar.PROPERTY, args[0]);
        IpvsDaemonVmSelfTest t = new IpvsDaemonVmSelfTest(Path.of(args[0]));
        int rc = 0;
        try {
            t.run();
            log("IPVS DAEMON SELFTEST PASSED");
        } catch (Throwable e) {
            log("IPVS DAEMON SELFTEST FAILED: " + e);
            e.printStackTrace(System.out);
            t.dumpLog();
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

    private void run() throws Exception {
        log("kernel " + System.getProperty("os.version") + ", jar " + jar);
        dir = Files.createTempDirectory("ipvs-daemon-vm");
        log = dir.resolve("daemon.log");
        topology();
        cluster = new ClusterFile(dir);
        cluster.write(clusterYaml(backends));

        // 1. First start: everything programmed.
        startDaemon();
        String first = awaitSyncLine(0, "first sync");
        check(first.contains("full=true"), "the first sync is a full one: " + first);
        String mode = NetworkNamespaces.callIn("/run/netns/" + node.name(), () -> {
            java.net.HttpURLConnection c = (java.net.HttpURLConnection)
                    java.net.URI.create("http://127.0.0.1:10249/proxyMode").toURL().openConnection();
            c.setConnectTimeout(3000);
            c.setReadTimeout(3000);
            try (var in = c.getInputStream()) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
            }
        });
        check(mode.equals("ipvs"), "/proxyMode answers ipvs (got '" + mode + "')");
        String ipvsadm = node.runChecked("ipvsadm", "-Ln");
        log("ipvsadm -Ln:\n" + ipvsadm);
        check(ipvsadm.contains("TCP  " + VIP + ":80 rr") && ipvsadm.contains("UDP  " + VIP + ":53 rr"),
                "ipvsadm lists the TCP and UDP virtual servers of the ClusterIP");
        for (String b : backends) {
            check(Pattern.compile("-> " + Pattern.quote(b) + ":8080\\s+Masq\\s+1\\s").matcher(ipvsadm).find()
                    && Pattern.compile("-> " + Pattern.quote(b) + ":8081\\s+Masq\\s+1\\s").matcher(ipvsadm).find(),
                    "ipvsadm lists " + b + " (TCP :8080 and UDP :8081, Masq, weight 1)");
        }
        check(node.runChecked("ip", "addr", "show", "dev", "kube-ipvs0").contains("inet " + VIP + "/32"),
                "the ClusterIP is bound on kube-ipvs0");
        String sets = node.runChecked("ipset", "list", "KUBE-CLUSTER-IP");
        check(sets.contains(VIP + ",tcp:80") && sets.contains(VIP + ",udp:53"), "KUBE-CLUSTER-IP holds the VIP ports");
        check(node.runChecked("iptables-save", "-t", "nat").contains("KUBE-CLUSTER-IP"), "the glue names the set");

        // 2. Traffic.
        check(tcpReplies(6).equals(Set.of("tcp-b1", "tcp-b2", "tcp-b3")), "TCP to the ClusterIP reaches all 3 backends");
        Set<String> udp = new TreeSet<>();
        // Up to 6 rounds: under TCG on a loaded host a round's replies can miss socat's 2 s window.
        for (int round = 0; round < 6 && udp.size() < 3; round++) {
            udp.addAll(udpReplies(6));
        }
        check(udp.equals(Set.of("udp-b1", "udp-b2", "udp-b3")), "UDP to the ClusterIP reaches all 3 backends: " + udp);

        // 3. Remove backend 3 while connections to every backend are open: drained, then gone.
        List<Socket> open = new ArrayList<>();
        Set<String> held = new TreeSet<>();
        for (int i = 0; i < 3; i++) {
            Socket s = connectFromClient();
            held.add(new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)).readLine());
            open.add(s);
        }
        check(held.size() == 3, "three open connections, one per backend: " + held);
        cluster.write(clusterYaml(backends.subList(0, 2)));
        String third = backends.get(2);
        // Wait for the change itself, not for the next sync line: a periodic sync may log first.
        Pattern weightZero = Pattern.compile("-> " + Pattern.quote(third) + ":8080\\s+Masq\\s+0\\s");
        await(() -> weightZero.matcher(node.run("ipvsadm", "-Ln", "-t", VIP + ":80").stdout()).find(), 60,
                "backend 3 is drained: weight 0 while its connection is open");
        log("sync: " + syncLines().get(syncLines().size() - 1));
        log("ipvsadm -Ln -t:\n" + node.runChecked("ipvsadm", "-Ln", "-t", VIP + ":80"));
        check(!node.runChecked("ipvsadm", "-Ln", "-u", VIP + ":53").contains(third + ":8081"),
                "its UDP destination is deleted at once");
        check(tcpReplies(4).equals(Set.of("tcp-b1", "tcp-b2")), "new connections go to the remaining backends only");
        for (Socket s : open) {
            s.setSoLinger(true, 0);   // RST: the IPVS connection entries expire in seconds, not minutes
            s.close();
        }
        await(() -> !node.run("ipvsadm", "-Ln", "-t", VIP + ":80").stdout().contains(third + ":8080"), 60,
                "the drained destination is deleted once its connections are gone");
        log("ipvsadm -Ln:\n" + node.runChecked("ipvsadm", "-Ln"));

        // 4. SIGKILL and restart: the first sync changes nothing in IPVS.
        String before = node.runChecked("ipvsadm", "-Ln");
        daemon.destroyForcibly().waitFor();
        log("daemon killed (SIGKILL)");
        int lines = syncLines().size();
        startDaemon();
        String restart = awaitSyncLine(lines, "first sync after the restart");
        log("sync: " + restart);
        check(restart.contains(" ipvs=+0/-0/~0"), "the first sync after a restart changes nothing in IPVS: " + restart);
        check(restart.contains(" writes=0"), "and writes no iptables rule: " + restart);
        check(restart.contains(" ipset lines=0"), "and no ipset: " + restart);
        check(before.equals(node.runChecked("ipvsadm", "-Ln")), "ipvsadm output unchanged");
        check(tcpReplies(4).equals(Set.of("tcp-b1", "tcp-b2")), "traffic still flows after the restart");
        daemon.destroy();
        daemon.waitFor();

        // 5. cleanup: ours gone, foreign kept.
        node.runChecked("ipvsadm", "-A", "-t", "192.0.2.99:80", "-s", "rr");
        node.runChecked("ipset", "create", "FOREIGN-SET", "hash:ip");
        NetNs.Result c = node.run(SvcproxyJar.command(node.name(), List.of("cleanup")), "");
        log("cleanup (exit " + c.exitCode() + "):\n" + c.stdout() + c.stderr());
        check(c.exitCode() == 0, "cleanup exits 0");
        String after = node.runChecked("ipvsadm", "-Ln");
        check(!after.contains(VIP), "no IPVS service of ours is left");
        check(after.contains("192.0.2.99:80"), "a foreign IPVS service is left alone");
        check(node.run("ip", "link", "show", "kube-ipvs0").exitCode() != 0, "kube-ipvs0 is deleted");
        String setNames = node.runChecked("ipset", "list", "-n");
        check(setNames.lines().noneMatch(l -> l.startsWith("KUBE-")), "no KUBE-* ipset is left: " + setNames.strip());
        check(setNames.contains("FOREIGN-SET"), "a foreign ipset is left alone");
        check(!node.runChecked("iptables-save").contains("KUBE-"), "no KUBE- chain or rule is left");
    }

    private static String clusterYaml(List<String> endpoints) {
        return ClusterFile.documents("""
                apiVersion: v1
                kind: Node
                metadata: {name: node-a}
                status: {addresses: [{type: InternalIP, address: 10.0.1.1}]}
                """, """
                apiVersion: v1
                kind: Service
                metadata: {name: web, namespace: vm}
                spec:
                  clusterIP: %s
                  ports:
                  - {name: http, port: 80, protocol: TCP}
                  - {name: dns, port: 53, protocol: UDP}
                """.formatted(VIP),
                ClusterFile.slice("vm", "web", List.of("http:8080/TCP", "dns:8081/UDP"),
                        endpoints.stream().map(e -> new ClusterFile.Ep(e, "node-a", true)).toList()));
    }

    private void startDaemon() throws Exception {
        List<String> argv = SvcproxyJar.command(node.name(), List.of("run", "--proxy-mode", "ipvs",
                "--cluster", cluster.path().toString(), "--hostname-override", "node-a",
                "--sync-period", "3s", "--min-sync-period", "500ms", "--ipvs-tcp-timeout", "900s"));
        daemon = new ProcessBuilder(argv).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        log("daemon started: " + String.join(" ", argv));
    }

    private List<String> syncLines() {
        try {
            return Files.readAllLines(log).stream().filter(l -> l.contains("sync complete")).toList();
        } catch (Exception e) {
            return List.of();
        }
    }

    /** Waits for sync line number {@code index} (0-based) and returns it. */
    private String awaitSyncLine(int index, String what) throws Exception {
        await(() -> syncLines().size() > index || !daemon.isAlive(), 90, what);
        check(syncLines().size() > index, what + " logged (daemon alive: " + daemon.isAlive() + ")");
        return syncLines().get(index);
    }

    private static void await(BooleanSupplier condition, int seconds, String what) throws Exception {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + seconds + " s: " + what);
            }
            Thread.sleep(200);
        }
        log("ok: " + what);
    }

    private Socket connectFromClient() throws Exception {
        // The socket's file descriptor is made at connect(): connect in the client namespace too.
        return NetworkNamespaces.callIn("/run/netns/" + client.name(), () -> {
            Socket s = new Socket();
            s.connect(new InetSocketAddress(VIP, 80), 3000);
            s.setSoTimeout(5000);
            return s;
        });
    }

    private Set<String> tcpReplies(int n) throws Exception {
        Set<String> out = new TreeSet<>();
        for (int i = 0; i < n; i++) {
            try (Socket s = connectFromClient()) {
                out.add(new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)).readLine());
                s.setSoLinger(true, 0);
            }
        }
        log("TCP replies: " + out);
        return out;
    }

    private Set<String> udpReplies(int n) throws Exception {
        List<CompletableFuture<String>> replies = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Supplier<String> one = () -> client.run(List.of("socat", "-T2", "-", "UDP:" + VIP + ":53"), "ping\n")
                    .stdout().trim();
            replies.add(CompletableFuture.supplyAsync(one));
        }
        Set<String> out = new TreeSet<>();
        for (CompletableFuture<String> r : replies) {
            String reply = r.get();
            if (!reply.isEmpty()) {
                out.add(reply);
            }
        }
        log("UDP replies: " + out);
        return out;
    }

    private void topology() throws Exception {
        node = ns();
        client = ns();
        node.runChecked("sysctl", "-qw", "net.ipv4.ip_forward=1");
        veth(client, "vcl", 1);
        for (int i = 1; i <= 3; i++) {
            NetNs b = ns();
            veth(b, "vb" + i, i + 1);
            backends.add("10.0." + (i + 1) + ".2");
            // The TCP server keeps each connection open (so a drained destination has one to wait for).
            servers.add(start(b, "socat", "TCP-LISTEN:8080,fork,reuseaddr", "SYSTEM:echo tcp-b" + i + "; sleep 60"));
            servers.add(start(b, "socat", "UDP-RECVFROM:8081,fork", "SYSTEM:echo udp-b" + i));
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

    private void dumpLog() {
        try {
            if (log != null && Files.exists(log)) {
                List<String> lines = Files.readAllLines(log);
                log("daemon log (last 80 lines):\n" + String.join("\n",
                        lines.subList(Math.max(0, lines.size() - 80), lines.size())));
            }
        } catch (Exception e) {
            log("cannot read the daemon log: " + e);
        }
    }

    private void cleanup() {
        if (daemon != null) {
            daemon.destroyForcibly();
        }
        servers.forEach(Process::destroyForcibly);
        for (NetNs n : namespaces) {
            try {
                n.close();
            } catch (RuntimeException e) {
                log("cleanup: " + e.getMessage());
            }
        }
    }
}
