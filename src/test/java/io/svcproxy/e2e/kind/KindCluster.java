package io.svcproxy.e2e.kind;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.svcproxy.e2e.Backend;
import io.svcproxy.e2e.Capabilities;
import io.svcproxy.e2e.E2eCluster;
import io.svcproxy.e2e.IpFamily;
import io.svcproxy.e2e.Protocol;
import io.svcproxy.e2e.Reply;
import io.svcproxy.e2e.Source;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The e2e driver on a real cluster reached through a kubeconfig context: a kind cluster without
 * kube-proxy running svcproxy from the chart ({@code e2e/kind/run.sh}, {@code mvn -Pe2e-kind verify}).
 * The API server allocates cluster IPs and NodePorts, the cluster's EndpointSlice controller keeps
 * the slices, its CNI gives pods their addresses; this driver only runs agnhost pods
 * ({@link AgnhostPods}) in a namespace of its own: backends where the suite asks, and on every node
 * a client pod (the pod-network source) and a host-network pod (the node source), through which
 * requests are made with exec ({@link PodRequests}). The external source is this JVM on the host of
 * the kind nodes ({@link ExternalRequests}). Every wait is bounded; diagnostics (each node's rules
 * read in its proxy pod, the proxy's logs, the namespace's objects) go under {@code e2e.dir}/RUN/.
 */
public final class KindCluster implements E2eCluster {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Duration EXEC_SLACK = Duration.ofSeconds(20);
    private static final Duration DIAGNOSTIC_EXEC = Duration.ofSeconds(30);
    private static final Duration NAMESPACE_GONE = Duration.ofMinutes(2);
    private static final Set<String> HOPELESS = Set.of("ErrImageNeverPull", "InvalidImageName",
            "CreateContainerConfigError", "CreateContainerError", "RunContainerError");

    private final KindSettings settings;
    private final String id = String.format("%06x", RANDOM.nextInt(1 << 24));
    private final String namespace = "svcproxy-e2e-" + id;
    private final AgnhostPods manifests;
    private final Map<String, List<String>> backends = new LinkedHashMap<>();
    private final Map<String, String> clientPods = new LinkedHashMap<>();
    private final Map<String, String> hostPods = new LinkedHashMap<>();
    private final Map<String, Map<IpFamily, String>> clientIps = new LinkedHashMap<>();
    private KubernetesClient client;
    private ClusterFacts facts;
    private boolean closed;

    private KindCluster(KindSettings settings) {
        this.settings = settings;
        this.manifests = new AgnhostPods(settings.agnhostImage());
    }

    /** Connects, reads the nodes and capabilities, and returns once every node's client and host pods are Ready. */
    public static KindCluster start(KindSettings settings) {
        KindCluster c = new KindCluster(settings);
        try {
            c.build();
            return c;
        } catch (RuntimeException | Error e) {
            c.close();
            throw e;
        }
    }

    private void build() {
        client = new KubernetesClientBuilder().withConfig(config(settings)).build();
        facts = ClusterFacts.read(client, settings.sctp());
        System.out.println("[e2e-kind] cluster " + client.getMasterUrl() + ", nodes " + facts.nodes() + ", "
                + facts.capabilities() + ", namespace " + namespace);
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace)
                .addToLabels("svcproxy-e2e/run", id)
                // host-network pods: allowed wherever Pod Security admission is enforced.
                .addToLabels("pod-security.kubernetes.io/enforce", "privileged")
                .endMetadata().build()).create();
        List<String> started = new ArrayList<>();
        for (int i = 0; i < facts.nodes().size(); i++) {
            String node = facts.nodes().get(i);
            String clientPod = "e2e-client-" + i;
            String hostPod = "e2e-host-" + i;
            client.pods().inNamespace(namespace).resource(manifests.client(namespace, clientPod, node)).create();
            client.pods().inNamespace(namespace).resource(manifests.host(namespace, hostPod, node)).create();
            clientPods.put(node, clientPod);
            hostPods.put(node, hostPod);
            started.add(clientPod);
            started.add(hostPod);
        }
        for (String pod : started) {
            awaitReady(pod);
        }
        for (Map.Entry<String, String> e : clientPods.entrySet()) {
            Map<IpFamily, String> ips = new LinkedHashMap<>();
            for (String ip : podIps(client.pods().inNamespace(namespace).withName(e.getValue()).get())) {
                ips.putIfAbsent(IpFamily.of(ip), ip);
            }
            clientIps.put(e.getKey(), ips);
        }
        selfCheck();
    }

    /**
     * The request commands work in this image before any test relies on them: TCP to the client pod's
     * own netexec answers with its name, UDP to a closed loopback port is refused (bash /dev/udp, dd).
     */
    private void selfCheck() {
        String pod = clientPods.values().iterator().next();
        Duration t = Duration.ofSeconds(5);
        Reply tcp = PodRequests.parseTcp(exec(pod, PodRequests.tcp("127.0.0.1", AgnhostPods.CLIENT_HTTP_PORT, t),
                t.plus(EXEC_SLACK)));
        if (!tcp.answered() || !pod.equals(tcp.pod())) {
            throw new IllegalStateException("TCP requests from pod " + pod + " (curl in " + settings.agnhostImage()
                    + ") do not work: " + tcp);
        }
        Reply udp = PodRequests.parseUdp(exec(pod, PodRequests.udp("127.0.0.1", 9, t), t.plus(EXEC_SLACK)));
        if (udp.outcome() != Reply.Outcome.REFUSED) {
            throw new IllegalStateException("UDP requests from pod " + pod + " (bash /dev/udp, dd, timeout in "
                    + settings.agnhostImage() + ") do not work: " + udp);
        }
    }

    static Config config(KindSettings settings) {
        Config config;
        if (settings.kubeconfig() != null) {
            try {
                config = Config.fromKubeconfig(settings.context(), Files.readString(settings.kubeconfig()),
                        settings.kubeconfig().toString());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read kubeconfig " + settings.kubeconfig(), e);
            }
        } else {
            config = Config.autoConfigure(settings.context());
        }
        config.setConnectionTimeout(10_000);
        config.setRequestTimeout(30_000);
        return config;
    }

    @Override
    public KubernetesClient client() {
        return client;
    }

    @Override
    public String namespace() {
        return namespace;
    }

    @Override
    public List<String> nodes() {
        return facts.nodes();
    }

    @Override
    public String nodeAddress(String node, IpFamily family) {
        return facts.address(node, family);
    }

    @Override
    public Capabilities capabilities() {
        return facts.capabilities();
    }

    @Override
    public List<String> deploy(Backend pod) {
        if (backends.containsKey(pod.name()) || client.pods().inNamespace(namespace).withName(pod.name()).get() != null) {
            throw new IllegalArgumentException("pod " + pod.name() + " already runs in " + namespace);
        }
        if (!facts.nodes().contains(pod.node())) {
            throw new IllegalArgumentException("unknown node " + pod.node() + " (nodes: " + facts.nodes() + ")");
        }
        client.pods().inNamespace(namespace).resource(manifests.backend(namespace, pod)).create();
        backends.put(pod.name(), List.of());
        Pod ready = awaitReady(pod.name());
        List<String> ips = podIps(ready);
        List<String> ordered = new ArrayList<>();
        for (IpFamily family : capabilities().families()) {
            ordered.add(ips.stream().filter(ip -> IpFamily.of(ip) == family).findFirst().orElseThrow(() ->
                    new IllegalStateException("pod " + pod.name() + " has no " + family + " address: " + ips)));
        }
        backends.put(pod.name(), List.copyOf(ordered));
        return List.copyOf(ordered);
    }

    @Override
    public void deletePod(String name) {
        if (!backends.containsKey(name)) {
            throw new IllegalArgumentException("no pod " + name + " (running: " + backends.keySet() + ")");
        }
        client.pods().inNamespace(namespace).withName(name).delete();
        // Not a forced delete: the object goes once the kubelet has stopped the containers, so the pod no
        // longer answers on its address when it is gone.
        try {
            client.pods().inNamespace(namespace).withName(name)
                    .waitUntilCondition(Objects::isNull, settings.podReady().toSeconds(), TimeUnit.SECONDS);
        } catch (KubernetesClientException e) {
            throw new IllegalStateException("pod " + name + " still there " + settings.podReady() + " after its deletion: "
                    + describe(name), e);
        }
        backends.remove(name);
    }

    @Override
    public List<String> pods() {
        return List.copyOf(backends.keySet());
    }

    @Override
    public Reply request(Source from, String address, int port, Protocol protocol, Duration timeout) {
        if (protocol == Protocol.SCTP && capabilities().sctp() == Capabilities.Sctp.NONE) {
            throw new IllegalStateException("SCTP requests asked of a cluster run with -De2e.sctp=none");
        }
        if (from.kind() == Source.Kind.EXTERNAL) {
            return switch (protocol) {
                case TCP -> ExternalRequests.tcp(address, port, timeout);
                case UDP -> ExternalRequests.udp(address, port, timeout);
                case SCTP -> ExternalRequests.sctp(address, port, timeout);
            };
        }
        String pod = sourcePod(from);
        Duration bound = timeout.multipliedBy(2).plus(EXEC_SLACK);
        return switch (protocol) {
            case TCP -> PodRequests.parseTcp(exec(pod, PodRequests.tcp(address, port, timeout), bound));
            case UDP -> PodRequests.parseUdp(exec(pod, PodRequests.udp(address, port, timeout), bound));
            case SCTP -> PodRequests.parseSctp(exec(pod, PodRequests.sctp(dialPort(from), address, port, timeout), bound));
        };
    }

    @Override
    public int httpStatus(Source from, String address, int port, String path, Duration timeout) {
        if (from.kind() == Source.Kind.EXTERNAL) {
            return ExternalRequests.httpStatus(address, port, path, timeout);
        }
        return PodRequests.parseHttpStatus(exec(sourcePod(from), PodRequests.httpStatus(address, port, path, timeout),
                timeout.plus(EXEC_SLACK)));
    }

    @Override
    public String sourceAddress(Source from, IpFamily family) {
        return switch (from.kind()) {
            case POD -> {
                String ip = clientIps.getOrDefault(from.node(), Map.of()).get(family);
                if (ip == null) {
                    throw new IllegalArgumentException("no " + family + " client pod address on " + from.node() + ": " + clientIps);
                }
                yield ip;
            }
            case NODE -> nodeAddress(from.node(), family);
            case EXTERNAL -> externalAddress(family);
        };
    }

    /** The address this host sends from towards the nodes (connecting a UDP socket sends nothing). */
    private String externalAddress(IpFamily family) {
        String towards = nodeAddress(facts.nodes().get(0), family);
        try (DatagramSocket s = new DatagramSocket()) {
            s.connect(InetAddress.getByName(towards), 9);
            InetAddress local = s.getLocalAddress();
            if (local == null || local.isAnyLocalAddress()) {
                throw new IllegalStateException("no route from this host to node address " + towards);
            }
            return NetexecReplies.canonical(local.getHostAddress().replaceFirst("%.*$", ""));
        } catch (IOException e) {
            throw new UncheckedIOException("no route from this host to node address " + towards, e);
        }
    }

    @Override
    public Duration convergence() {
        return settings.convergence();
    }

    @Override
    public String diagnostics(String what) {
        return new KindDiagnostics(client, settings, namespace).save(settings.dir().resolve(id), what);
    }

    /** The folder diagnostics of this run go to. */
    public Path dir() {
        return settings.dir().resolve(id);
    }

    private String sourcePod(Source from) {
        Map<String, String> pods = from.kind() == Source.Kind.POD ? clientPods : hostPods;
        String pod = pods.get(from.node());
        if (pod == null) {
            throw new IllegalArgumentException("unknown node " + from.node() + " (nodes: " + facts.nodes() + ")");
        }
        return pod;
    }

    private static int dialPort(Source from) {
        return from.kind() == Source.Kind.POD ? AgnhostPods.CLIENT_HTTP_PORT : AgnhostPods.HOST_HTTP_PORT;
    }

    private PodRequests.Output exec(String pod, List<String> command, Duration bound) {
        return PodExec.run(client, namespace, pod, command, bound);
    }

    /** Waits until the pod is Ready; fails early (with its state and logs) when it cannot become so. */
    private Pod awaitReady(String name) {
        try {
            Pod p = client.pods().inNamespace(namespace).withName(name).waitUntilCondition(
                    pod -> pod != null && (isReady(pod) || hopeless(pod)), settings.podReady().toSeconds(), TimeUnit.SECONDS);
            if (!isReady(p)) {
                throw new IllegalStateException("pod " + name + " cannot start: " + describe(name));
            }
            return p;
        } catch (KubernetesClientException e) {
            throw new IllegalStateException("pod " + name + " not Ready within " + settings.podReady() + ": " + describe(name), e);
        }
    }

    static boolean isReady(Pod p) {
        return p.getStatus() != null && p.getStatus().getConditions() != null && p.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    /** A container that cannot be created, or that keeps crashing (netexec exits when a port cannot be served). */
    static boolean hopeless(Pod p) {
        List<ContainerStatus> statuses = p.getStatus() == null || p.getStatus().getContainerStatuses() == null ? List.of()
                : p.getStatus().getContainerStatuses();
        return statuses.stream().anyMatch(s -> (s.getRestartCount() != null && s.getRestartCount() >= 2)
                || (s.getState() != null && s.getState().getWaiting() != null
                && HOPELESS.contains(s.getState().getWaiting().getReason())));
    }

    static List<String> podIps(Pod p) {
        List<String> ips = new ArrayList<>();
        if (p.getStatus() != null && p.getStatus().getPodIPs() != null) {
            for (PodIP ip : p.getStatus().getPodIPs()) {
                ips.add(NetexecReplies.canonical(ip.getIp()));
            }
        }
        if (ips.isEmpty() && p.getStatus() != null && p.getStatus().getPodIP() != null) {
            ips.add(NetexecReplies.canonical(p.getStatus().getPodIP()));
        }
        return ips;
    }

    /** The pod's status and its containers' last log lines, for a failure message. */
    private String describe(String name) {
        StringBuilder b = new StringBuilder();
        try {
            Pod p = client.pods().inNamespace(namespace).withName(name).get();
            if (p == null) {
                return "(no such pod)";
            }
            b.append(Serialization.asYaml(p.getStatus()));
            for (var c : p.getSpec().getContainers()) {
                b.append("--- log of ").append(c.getName()).append(":\n").append(client.pods().inNamespace(namespace)
                        .withName(name).inContainer(c.getName()).tailingLines(20).getLog());
            }
        } catch (KubernetesClientException e) {
            b.append("(cannot read it: ").append(e.getMessage()).append(')');
        }
        return b.toString();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (client == null) {
            return;
        }
        try {
            client.namespaces().withName(namespace).delete();
            client.namespaces().withName(namespace)
                    .waitUntilCondition(Objects::isNull, NAMESPACE_GONE.toSeconds(), TimeUnit.SECONDS);
        } catch (KubernetesClientException e) {
            throw new IllegalStateException("namespace " + namespace + " not deleted within " + NAMESPACE_GONE, e);
        } finally {
            client.close();
        }
    }
}
