package io.svcproxy.e2e.netns;

import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.svcproxy.e2e.Backend;
import io.svcproxy.e2e.Capabilities;
import io.svcproxy.e2e.E2eCluster;
import io.svcproxy.e2e.IpFamily;
import io.svcproxy.e2e.Protocol;
import io.svcproxy.e2e.Reply;
import io.svcproxy.e2e.Source;
import io.svcproxy.it.RelayedApi;
import io.svcproxy.it.SvcproxyJar;
import io.svcproxy.testing.KernelTestSupport;
import io.svcproxy.testing.Teardown;
import io.svcproxy.testing.topology.BackgroundProcess;
import io.svcproxy.testing.topology.Daemon;
import io.svcproxy.testing.topology.EchoServer;
import io.svcproxy.testing.topology.Exec;
import io.svcproxy.testing.topology.Pod;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The e2e driver on a cluster of network namespaces ({@code make e2e}): {@link ClusterNetwork}'s three
 * nodes, each running the real svcproxy jar ({@code svcproxy run --master}; iptables mode with the nft
 * backend, or the mode the flags given to {@link #start(List)} choose) against one fabric8 CRUD mock API server ({@link RelayedApi}: each node reaches it on its
 * own 127.0.0.1:6443 through socat and a Unix socket), holding the Nodes (addresses, podCIDRs, zones)
 * and the Pods this driver runs; {@link EndpointSliceController} plays the API server's allocators and
 * the EndpointSlice controller. Backend pods are {@link EchoServer}s. Everything lives under
 * {@code target/e2e-netns/RUN/} (daemon logs {@code svcproxy-*.err}, {@code controller.log}, rule
 * snapshots of failed tests), which is kept after the run for diagnosis.
 */
public final class NetnsCluster implements E2eCluster {
    private static final int NODES = 3;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Duration CMD = Duration.ofSeconds(15);

    private final String id = String.format("%06x", RANDOM.nextInt(1 << 24));
    private final Path dir;
    private final List<BackgroundProcess> processes = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, Running> pods = new LinkedHashMap<>();
    private final Map<String, Daemon> daemons = new LinkedHashMap<>();
    private ClusterNetwork network;
    private RelayedApi api;
    private EndpointSliceController controller;
    private boolean closed;

    /** A backend pod this driver runs: its namespace and addresses, its echo server. */
    private record Running(ClusterNetwork.PodNet net, BackgroundProcess echo) {
    }

    private NetnsCluster() {
        try {
            dir = Files.createDirectories(SvcproxyJar.JAR.getParent().resolve("e2e-netns").resolve(id));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** iptables mode, nft backend. */
    public static final List<String> IPTABLES = List.of("--iptables-backend", "nft");
    public static final List<String> NFTABLES = List.of("--proxy-mode", "nftables");

    private List<String> modeFlags = IPTABLES;

    /** Builds the cluster (iptables mode) and returns once every node's proxy completed its first sync. */
    public static NetnsCluster start() {
        return start(IPTABLES);
    }

    /** The same with {@code modeFlags} choosing the proxy mode ({@link #IPTABLES}, {@link #NFTABLES}). */
    public static NetnsCluster start(List<String> modeFlags) {
        for (String tool : List.of("iptables-nft-restore", "ip6tables-nft-restore", "conntrack", "socat", "nmap",
                "curl", "ss", "sysctl")) {
            if (KernelTestSupport.findTool(tool) == null) {
                KernelTestSupport.skipOrFail("the netns e2e cluster needs '" + tool + "' (scripts/install-test-deps.sh)");
            }
        }
        NetnsCluster c = new NetnsCluster();
        c.modeFlags = List.copyOf(modeFlags);
        try {
            c.build();
            return c;
        } catch (RuntimeException | Error e) {
            c.close();
            throw e;
        }
    }

    private void build() {
        network = ClusterNetwork.create(dir, NODES);
        api = new RelayedApi();
        api.start();
        KubernetesClient admin = api.admin();
        admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace()).endMetadata()
                .build()).create();
        for (ClusterNetwork.Node n : network.nodes()) {
            admin.nodes().resource(new NodeBuilder().withNewMetadata().withName(n.name())
                    .withLabels(Map.of("kubernetes.io/hostname", n.name(), EndpointSliceController.ZONE, "zone-" + n.index()))
                    .endMetadata()
                    .withNewSpec().withPodCIDR(n.podCidr4()).withPodCIDRs(n.podCidr4(), n.podCidr6()).endSpec()
                    .withNewStatus().addNewAddress().withType("InternalIP").withAddress(n.ip4()).endAddress()
                    .addNewAddress().withType("InternalIP").withAddress(n.ip6()).endAddress()
                    .addNewAddress().withType("Hostname").withAddress(n.name()).endAddress().endStatus()
                    .build()).create();
        }
        controller = new EndpointSliceController(admin, dir.resolve("controller.log"));
        controller.start();
        for (ClusterNetwork.Node n : network.nodes()) {
            track(BackgroundProcess.start("api-socat-" + n.name(), api.socatArgv(n.nsName()), dir));
            List<String> flags = new ArrayList<>(modeFlags);
            flags.addAll(List.of("--min-sync-period", "200ms", "--sync-period", "1m"));
            Daemon d = new Daemon(n.nsName(), dir, this::track, flags);
            daemons.put(n.name(), d);
        }
        for (ClusterNetwork.Node n : network.nodes()) {
            daemons.get(n.name()).startApiDetached(RelayedApi.MASTER, List.of("--hostname-override=" + n.name(),
                    "--cluster-cidr=" + ClusterNetwork.CLUSTER_CIDRS));
        }
        for (Daemon d : daemons.values()) {
            d.awaitSyncs(1, Daemon.FIRST_SYNC);
        }
    }

    private BackgroundProcess track(BackgroundProcess p) {
        processes.add(p);
        return p;
    }

    @Override
    public KubernetesClient client() {
        return api.admin();
    }

    @Override
    public String namespace() {
        return "e2e-" + id;
    }

    @Override
    public List<String> nodes() {
        return network.nodes().stream().map(ClusterNetwork.Node::name).toList();
    }

    @Override
    public String nodeAddress(String node, IpFamily family) {
        ClusterNetwork.Node n = network.node(node);
        return canonical(family == IpFamily.IPv6 ? n.ip6() : n.ip4());
    }

    @Override
    public Capabilities capabilities() {
        return new Capabilities(List.of(IpFamily.IPv4, IpFamily.IPv6), Capabilities.Sctp.INIT_DNAT);
    }

    @Override
    public List<String> deploy(Backend backend) {
        if (pods.containsKey(backend.name())) {
            throw new IllegalArgumentException("pod " + backend.name() + " already runs");
        }
        ClusterNetwork.PodNet net = network.addPod(network.node(backend.node()), backend.name());
        List<String> ports = backend.ports().stream().filter(p -> p.protocol() != Protocol.SCTP)
                .map(p -> p.protocol().name().toLowerCase() + ":" + p.port()).distinct().toList();
        BackgroundProcess echo = null;
        if (!ports.isEmpty()) {
            echo = track(BackgroundProcess.start(backend.name() + "-echo",
                    EchoServer.command(net.pod().ns().name(), backend.name(), ports), dir));
        }
        pods.put(backend.name(), new Running(net, echo));
        if (!ports.isEmpty()) {
            EchoServer.awaitListening(net.pod().ns().name(), ports);
        }
        client().pods().inNamespace(namespace()).resource(new PodBuilder()
                .withNewMetadata().withName(backend.name()).withNamespace(namespace()).withLabels(backend.labels())
                .endMetadata()
                .withNewSpec().withNodeName(backend.node()).addNewContainer().withName("echo").withImage("svcproxy/echo")
                .withPorts(backend.ports().stream().map(p -> new ContainerPortBuilder().withName(p.name())
                        .withProtocol(p.protocol().name()).withContainerPort(p.port()).build()).toList())
                .endContainer().endSpec()
                .withNewStatus().withPhase("Running").withPodIP(net.ip4()).addNewPodIP().withIp(net.ip4()).endPodIP()
                .addNewPodIP().withIp(net.ip6()).endPodIP()
                .addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus()
                .build()).create();
        return List.of(canonical(net.ip4()), canonical(net.ip6()));
    }

    @Override
    public void deletePod(String name) {
        Running r = pods.remove(name);
        if (r == null) {
            throw new IllegalArgumentException("no pod " + name + " (running: " + pods.keySet() + ")");
        }
        client().pods().inNamespace(namespace()).withName(name).delete();
        if (r.echo() != null) {
            r.echo().stop(Duration.ofSeconds(3));
            processes.remove(r.echo());
        }
        network.removePod(r.net());
    }

    @Override
    public List<String> pods() {
        return List.copyOf(pods.keySet());
    }

    @Override
    public Reply request(Source from, String address, int port, Protocol protocol, Duration timeout) {
        return new NetnsRequests(network, this::podName).request(from, address, port, protocol, timeout);
    }

    @Override
    public int httpStatus(Source from, String address, int port, String path, Duration timeout) {
        return new NetnsRequests(network, this::podName).httpStatus(from, address, port, path, timeout);
    }

    /** The name of the running pod with that IP, or null. */
    private String podName(String ip) {
        String canonical = canonical(ip);
        return pods.entrySet().stream().filter(e -> canonical(e.getValue().net().ip4()).equals(canonical)
                || canonical(e.getValue().net().ip6()).equals(canonical)).map(Map.Entry::getKey).findFirst().orElse(null);
    }

    @Override
    public String sourceAddress(Source from, IpFamily family) {
        boolean v6 = family == IpFamily.IPv6;
        return canonical(switch (from.kind()) {
            case POD -> v6 ? network.node(from.node()).client().ip6() : network.node(from.node()).client().ip4();
            case NODE -> v6 ? network.node(from.node()).ip6() : network.node(from.node()).ip4();
            case EXTERNAL -> network.external(v6);
        });
    }

    @Override
    public Duration convergence() {
        return Duration.ofSeconds(30);
    }

    @Override
    public String diagnostics(String what) {
        String label = what.replaceAll("[^A-Za-z0-9_.-]", "_");
        for (ClusterNetwork.Node n : network.nodes()) {
            StringBuilder rules = new StringBuilder();
            for (List<String> save : List.of(List.of("iptables-nft-save"), List.of("ip6tables-nft-save"),
                    List.of("nft", "list", "ruleset"))) {
                rules.append("### ").append(String.join(" ", save)).append('\n')
                        .append(Exec.run(Exec.in(n.nsName(), save), null, CMD).stdout());
            }
            try {
                Files.writeString(dir.resolve(label + "-" + n.name() + ".rules"), rules);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return "rules of each node in " + dir + "/" + label + "-NODE.rules; daemon logs " + dir
                + "/svcproxy-*.err (" + daemons.entrySet().stream().map(e -> e.getKey() + ": "
                + e.getValue().process().stderrFile().getFileName()).toList() + "); slices written in "
                + dir.resolve("controller.log");
    }

    /** The run's directory (logs, rule snapshots). */
    public Path dir() {
        return dir;
    }

    /** An IP literal as {@link java.net.InetAddress#getHostAddress()} renders it (IPv6 uncompressed). */
    static String canonical(String ip) {
        try {
            return java.net.InetAddress.getByName(ip).getHostAddress();
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException("not an IP literal: " + ip, e);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Teardown teardown = new Teardown("netns cluster " + id);
        if (controller != null) {
            teardown.step(controller::close);
        }
        List<BackgroundProcess> all = new ArrayList<>(processes);
        Collections.reverse(all);
        for (BackgroundProcess p : all) {
            teardown.step(() -> p.stop(Duration.ofSeconds(5)));
        }
        if (api != null) {
            teardown.step(api::close);
        }
        if (network != null) {
            teardown.step(network::close);
        }
        teardown.done();
    }
}
