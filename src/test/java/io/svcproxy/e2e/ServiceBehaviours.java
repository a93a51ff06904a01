package io.svcproxy.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.ServiceSpec;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * Service behaviours a node proxy must show, modelled on Kubernetes' sig-network conformance tests
 * (test/e2e/network/service.go, loadbalancer.go, dual_stack.go), run through an {@link E2eCluster}
 * driver: a subclass says which ({@code NetnsClusterE2eIT}: network namespaces; a kind driver later).
 * One cluster for the class; each test makes uniquely named Services (plain objects with selectors,
 * as a conformance test writes them) and pods, and deletes them afterwards. Clients sit on the first
 * node, backends on the others, so traffic crosses nodes; NodePorts are reached from the external
 * host through every node. Waits are bounded ({@link Eventually}, {@link E2eCluster#convergence()});
 * a failed test saves the driver's diagnostics and prints where they are.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class ServiceBehaviours {
    private static final Duration REQUEST = Duration.ofSeconds(2);
    /** For requests expected to go unanswered (dropped): long enough for an answer on a quiet machine. */
    private static final Duration SILENCE = Duration.ofSeconds(1);
    /** Requests in a row that must all go unanswered. */
    private static final int QUIET = 3;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Backend.Port HTTP = new Backend.Port("http", Protocol.TCP, 8080);
    private static final Backend.Port DNS_UDP = new Backend.Port("udp", Protocol.UDP, 8081);

    protected E2eCluster cluster;
    private String clientNode;
    private String backendNode1;
    private String backendNode2;
    private final List<String> createdServices = new ArrayList<>();
    private final List<String> createdPods = new ArrayList<>();
    private final String run = String.format("%04x", RANDOM.nextInt(1 << 16));
    private int sequence;

    /** Starts the cluster the suite runs on (once per class). */
    protected abstract E2eCluster startCluster();

    @RegisterExtension
    final AfterTestExecutionCallback diagnoseFailures = context -> {
        if (context.getExecutionException().isPresent() && cluster != null) {
            System.err.println("[e2e] " + context.getDisplayName() + " failed; diagnostics: "
                    + cluster.diagnostics(context.getRequiredTestMethod().getName()));
        }
    };

    @BeforeAll
    void startAll() {
        cluster = startCluster();
        List<String> nodes = cluster.nodes();
        assertTrue(nodes.size() >= 2, "the suite needs two nodes at least: " + nodes);
        clientNode = nodes.get(0);
        backendNode1 = nodes.get(1);
        backendNode2 = nodes.get(nodes.size() > 2 ? 2 : 1);
    }

    @AfterAll
    void stopAll() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @AfterEach
    void deleteObjects() {
        for (String s : createdServices) {
            cluster.client().services().inNamespace(cluster.namespace()).withName(s).delete();
        }
        createdServices.clear();
        for (String p : new ArrayList<>(createdPods)) {
            deletePod(p);
        }
    }

    // ---- Behaviours --------------------------------------------------------------------------------

    /** service.go "should serve a basic endpoint from pods": endpoints follow pods appearing and going. */
    @Test
    void servesABasicEndpointFromPods() {
        Map<String, String> app = labels("basic");
        Service svc = create(http("endpoint-test", app, spec -> { }));
        String ip = svc.getSpec().getClusterIP();
        awaitEndpoints(svc, Map.of());

        String pod1 = deploy("pod1", backendNode1, app, HTTP);
        awaitEndpoints(svc, Map.of(pod1, Set.of(8080)));
        awaitSpread("pod1 only", pod(clientNode), ip, 80, Protocol.TCP, 4, only(pod1));

        String pod2 = deploy("pod2", backendNode2, app, HTTP);
        awaitEndpoints(svc, Map.of(pod1, Set.of(8080), pod2, Set.of(8080)));
        awaitSpread("pod1 and pod2", pod(clientNode), ip, 80, Protocol.TCP, 12, exactly(pod1, pod2));

        deletePod(pod1);
        awaitEndpoints(svc, Map.of(pod2, Set.of(8080)));
        awaitSpread("pod2 only", pod(clientNode), ip, 80, Protocol.TCP, 6, only(pod2));

        deletePod(pod2);
        awaitEndpoints(svc, Map.of());
        awaitReply("no endpoints: rejected", pod(clientNode), ip, 80, Protocol.TCP,
                r -> r.outcome() == Reply.Outcome.REFUSED);
    }

    /** service.go "should serve multiport endpoints from pods": named targetPorts resolve per pod. */
    @Test
    void servesMultiportEndpointsFromPods() {
        Map<String, String> app = labels("multi");
        Service svc = create(service("multi-endpoint-test", app,
                port("portname1", Protocol.TCP, 80, "svc1"), port("portname2", Protocol.TCP, 81, "svc2")));
        String ip = svc.getSpec().getClusterIP();
        String pod1 = deploy("pod1", backendNode1, app, new Backend.Port("svc1", Protocol.TCP, 8100));
        String pod2 = deploy("pod2", backendNode2, app, new Backend.Port("svc2", Protocol.TCP, 8101));
        awaitEndpoints(svc, Map.of(pod1, Set.of(8100), pod2, Set.of(8101)));
        awaitSpread("port 80 -> pod1:svc1", pod(clientNode), ip, 80, Protocol.TCP, 6, only(pod1));
        awaitSpread("port 81 -> pod2:svc2", pod(clientNode), ip, 81, Protocol.TCP, 6, only(pod2));
    }

    /**
     * service.go "should serve endpoints on same port and different protocols" and "should be able to
     * update service type to NodePort listening on same port number but different protocols".
     */
    @Test
    void samePortAndSameNodePortWithTcpAndUdp() {
        Map<String, String> app = labels("proto");
        Service svc = create(service("proto-test", app, port("tcp-port", Protocol.TCP, 80, 8080),
                port("udp-port", Protocol.UDP, 80, 8080)));
        String ip = svc.getSpec().getClusterIP();
        String pod = deploy("server", backendNode1, app, new Backend.Port("tcp", Protocol.TCP, 8080),
                new Backend.Port("udp", Protocol.UDP, 8080));
        awaitReply("TCP to port 80", pod(clientNode), ip, 80, Protocol.TCP, answeredBy(pod));
        awaitReply("UDP to port 80", pod(clientNode), ip, 80, Protocol.UDP, answeredBy(pod));

        // To NodePort with the TCP port only, then the UDP port added on the same NodePort.
        update(svc, s -> {
            s.getSpec().setType("NodePort");
            s.getSpec().setPorts(List.of(s.getSpec().getPorts().get(0)));
            return s;
        });
        int nodePort = get(svc).getSpec().getPorts().get(0).getNodePort();
        Service both = update(svc, s -> {
            ServicePort udp = port("udp-port", Protocol.UDP, 80, 8080);
            udp.setNodePort(nodePort);
            s.getSpec().setPorts(List.of(s.getSpec().getPorts().get(0), udp));
            return s;
        });
        assertEquals(List.of(nodePort, nodePort), both.getSpec().getPorts().stream().map(ServicePort::getNodePort).toList());
        for (String node : cluster.nodes()) {
            String nodeIp = cluster.nodeAddress(node, primary());
            awaitReply("TCP NodePort via " + node, external(), nodeIp, nodePort, Protocol.TCP, answeredBy(pod));
            awaitReply("UDP NodePort via " + node, external(), nodeIp, nodePort, Protocol.UDP, answeredBy(pod));
        }
    }

    /**
     * service.go "should be able to create a functioning NodePort service": reachable through every
     * node's address from outside, the client masqueraded (externalTrafficPolicy Cluster).
     */
    @Test
    void functioningNodePortService() {
        Map<String, String> app = labels("nodeport");
        Service svc = create(http("nodeport-test", app, spec -> spec.setType("NodePort")));
        int nodePort = svc.getSpec().getPorts().get(0).getNodePort();
        String pod = deploy("server", backendNode1, app, HTTP);
        for (String node : cluster.nodes()) {
            Reply r = awaitReply("NodePort via " + node, external(), cluster.nodeAddress(node, primary()), nodePort,
                    Protocol.TCP, answeredBy(pod));
            assertNotEquals(cluster.sourceAddress(external(), primary()), r.clientAddress(),
                    "externalTrafficPolicy Cluster masquerades the external client: " + r);
        }
        awaitReply("ClusterIP from a node's host network", Source.node(clientNode), svc.getSpec().getClusterIP(), 80,
                Protocol.TCP, answeredBy(pod));
    }

    /**
     * service.go "should have session affinity work for service with type clusterIP" and "should be
     * able to switch session affinity for service with type clusterIP": ClientIP pins a client to one
     * pod, None spreads it again, ClientIP pins it again.
     */
    @Test
    void sessionAffinityClusterIpAndSwitching() {
        Map<String, String> app = labels("affinity");
        Service svc = create(affinity(http("affinity-clusterip", app, spec -> { }), true));
        String ip = svc.getSpec().getClusterIP();
        String a = deploy("a", backendNode1, app, HTTP);
        String b = deploy("b", backendNode2, app, HTTP);
        String c = deploy("c", backendNode1, app, HTTP);
        awaitEndpoints(svc, Map.of(a, Set.of(8080), b, Set.of(8080), c, Set.of(8080)));
        Map<String, Integer> pinned = awaitSpread("affinity: one pod for 15 requests", pod(clientNode), ip, 80,
                Protocol.TCP, 15, oneOf(a, b, c));
        System.out.println("[e2e] ClientIP affinity: " + pinned);

        update(svc, s -> affinity(s, false));
        awaitSpread("no affinity: more than one pod", pod(clientNode), ip, 80, Protocol.TCP, 15,
                h -> failures(h) == 0 && h.size() > 1);

        update(svc, s -> affinity(s, true));
        awaitSpread("affinity again: one pod for 15 requests", pod(clientNode), ip, 80, Protocol.TCP, 15, oneOf(a, b, c));
    }

    /** service.go "should have session affinity work for NodePort service": from outside, through a node. */
    @Test
    void sessionAffinityNodePort() {
        Map<String, String> app = labels("affinity-np");
        Service svc = create(affinity(http("affinity-nodeport", app, spec -> spec.setType("NodePort")), true));
        int nodePort = svc.getSpec().getPorts().get(0).getNodePort();
        String a = deploy("a", backendNode1, app, HTTP);
        String b = deploy("b", backendNode2, app, HTTP);
        awaitEndpoints(svc, Map.of(a, Set.of(8080), b, Set.of(8080)));
        awaitSpread("affinity through " + clientNode, external(), cluster.nodeAddress(clientNode, primary()), nodePort,
                Protocol.TCP, 15, oneOf(a, b));
    }

    /**
     * service.go "should be able to change the type from ExternalName to ClusterIP", "... from
     * ClusterIP to ExternalName", "... from NodePort to ExternalName" (and ClusterIP <-> NodePort):
     * each type change is followed; what a type no longer has stops answering.
     */
    @Test
    void typeChangesExternalNameClusterIpNodePort() {
        Map<String, String> app = labels("types");
        Service svc = create(http("type-test", app, spec -> {
            spec.setType("ExternalName");
            spec.setExternalName("foo.example.com");
        }));
        assertNull(blankToNull(svc.getSpec().getClusterIP()), "ExternalName has no cluster IP");
        String pod = deploy("server", backendNode1, app, HTTP);

        Service asClusterIp = update(svc, s -> {
            s.getSpec().setType("ClusterIP");
            s.getSpec().setExternalName(null);
            return s;
        });
        String ip = asClusterIp.getSpec().getClusterIP();
        assertFalse(ip == null || ip.isEmpty(), "ExternalName -> ClusterIP allocates a cluster IP");
        awaitReply("ExternalName -> ClusterIP", pod(clientNode), ip, 80, Protocol.TCP, answeredBy(pod));

        Service asNodePort = update(svc, s -> type(s, "NodePort"));
        int nodePort = asNodePort.getSpec().getPorts().get(0).getNodePort();
        String nodeIp = cluster.nodeAddress(backendNode2, primary());
        awaitReply("ClusterIP -> NodePort", external(), nodeIp, nodePort, Protocol.TCP, answeredBy(pod));

        update(svc, s -> {
            type(s, "ClusterIP");
            s.getSpec().getPorts().forEach(p -> p.setNodePort(null));
            return s;
        });
        awaitUnanswered("NodePort -> ClusterIP: the NodePort is gone", external(), nodeIp, nodePort, Protocol.TCP, null);
        awaitReply("NodePort -> ClusterIP: the cluster IP stays", pod(clientNode), ip, 80, Protocol.TCP, answeredBy(pod));

        update(svc, s -> {
            s.getSpec().setType("ExternalName");
            s.getSpec().setExternalName("foo.example.com");
            s.getSpec().setClusterIP(null);
            s.getSpec().setClusterIPs(null);
            s.getSpec().setIpFamilies(null);
            s.getSpec().setIpFamilyPolicy(null);
            return s;
        });
        awaitUnanswered("ClusterIP -> ExternalName: the cluster IP is gone", pod(clientNode), ip, 80, Protocol.TCP,
                null);
        awaitEndpoints(get(svc), Map.of());
    }

    /** service.go "should preserve source pod IP for traffic thru service cluster IP": cross-node and same-node. */
    @Test
    void preservesSourcePodIpThroughClusterIp() {
        Map<String, String> app = labels("srcip");
        Service svc = create(service("sourceip-test", app, port("http", Protocol.TCP, 8080, 8080)));
        String ip = svc.getSpec().getClusterIP();
        String pod = deploy("echo", backendNode1, app, HTTP);
        for (String from : List.of(clientNode, backendNode1)) {
            Reply r = awaitReply("from the client pod on " + from, pod(from), ip, 8080, Protocol.TCP, answeredBy(pod));
            assertEquals(cluster.sourceAddress(pod(from), primary()), r.clientAddress(), "source pod IP preserved: " + r);
        }
    }

    /**
     * loadbalancer.go ESIPP "should work for type=NodePort" / "should only target nodes with
     * endpoints": externalTrafficPolicy Local keeps the client's address, answers only on nodes with a
     * local endpoint (the others drop), and the healthCheckNodePort says 200 there, 503 elsewhere.
     */
    @Test
    void externalTrafficPolicyLocalPreservesSourceAndHealthChecks() {
        Map<String, String> app = labels("etp");
        Service svc = create(http("external-local", app, spec -> {
            spec.setType("LoadBalancer");
            spec.setExternalTrafficPolicy("Local");
        }));
        int nodePort = svc.getSpec().getPorts().get(0).getNodePort();
        int healthPort = svc.getSpec().getHealthCheckNodePort();
        String pod = deploy("local", backendNode1, app, HTTP);
        awaitEndpoints(svc, Map.of(pod, Set.of(8080)));

        String withEndpoint = cluster.nodeAddress(backendNode1, primary());
        Reply r = awaitReply("NodePort on the node with the endpoint", external(), withEndpoint, nodePort, Protocol.TCP,
                answeredBy(pod));
        assertEquals(cluster.sourceAddress(external(), primary()), r.clientAddress(), "client address preserved: " + r);
        Eventually.await("health check 200 on " + backendNode1, cluster.convergence(),
                () -> cluster.httpStatus(external(), withEndpoint, healthPort, "/", REQUEST), code -> code == 200);
        for (String node : cluster.nodes()) {
            if (node.equals(backendNode1)) {
                continue;
            }
            String without = cluster.nodeAddress(node, primary());
            Eventually.await("health check 503 on " + node, cluster.convergence(),
                    () -> cluster.httpStatus(external(), without, healthPort, "/", REQUEST), code -> code == 503);
            awaitUnanswered("NodePort on " + node + " (no local endpoint) drops", external(), without, nodePort,
                    Protocol.TCP, Reply.Outcome.TIMEOUT);
        }
    }

    /**
     * service.go "should respect internalTrafficPolicy=Local Pod to Pod" (and from a node's host
     * network): only the client node's own endpoints serve it; a node without any drops.
     */
    @Test
    void internalTrafficPolicyLocal() {
        Map<String, String> app = labels("itp");
        Service svc = create(http("internal-local", app, spec -> spec.setInternalTrafficPolicy("Local")));
        String ip = svc.getSpec().getClusterIP();
        String p1 = deploy("on1", backendNode1, app, HTTP);
        String p2 = backendNode2.equals(backendNode1) ? null : deploy("on2", backendNode2, app, HTTP);
        awaitSpread("pod on " + backendNode1 + ": its node's endpoint only", pod(backendNode1), ip, 80, Protocol.TCP, 6,
                only(p1));
        awaitSpread("host network of " + backendNode1 + ": its node's endpoint only", Source.node(backendNode1), ip, 80,
                Protocol.TCP, 6, only(p1));
        if (p2 != null) {
            awaitSpread("pod on " + backendNode2 + ": its node's endpoint only", pod(backendNode2), ip, 80,
                    Protocol.TCP, 6, only(p2));
        }
        awaitUnanswered("pod on " + clientNode + " (no local endpoint): dropped", pod(clientNode), ip, 80,
                Protocol.TCP, Reply.Outcome.TIMEOUT);
    }

    /** Endpoint updates are followed over UDP too (stale conntrack entries must not pin the old pods). */
    @Test
    void endpointsUpdateScaleUpAndDownOverUdp() {
        Map<String, String> app = labels("scale");
        Service svc = create(service("scale-test", app, port("dns", Protocol.UDP, 53, 8081)));
        String ip = svc.getSpec().getClusterIP();
        String first = deploy("r0", backendNode1, app, DNS_UDP);
        awaitSpread("one replica", pod(clientNode), ip, 53, Protocol.UDP, 4, only(first));
        String second = deploy("r1", backendNode2, app, DNS_UDP);
        String third = deploy("r2", backendNode1, app, DNS_UDP);
        awaitSpread("scaled to 3", pod(clientNode), ip, 53, Protocol.UDP, 18, exactly(first, second, third));
        deletePod(first);
        deletePod(third);
        awaitSpread("scaled down to 1", pod(clientNode), ip, 53, Protocol.UDP, 8, only(second));
    }

    /**
     * service.go "should be rejected when no endpoints exist": a Service selecting no pod is rejected at
     * once (ICMP unreachable / RST, not a timeout), by its cluster IP and by its NodePort.
     */
    @Test
    void noEndpointsIsRejected() {
        Service svc = create(http("no-pods", labels("nothing"), spec -> spec.setType("NodePort")));
        int nodePort = svc.getSpec().getPorts().get(0).getNodePort();
        Duration patient = Duration.ofSeconds(5);   // a REFUSED outcome well within it: rejected, not dropped
        awaitReply("cluster IP rejected", pod(clientNode), svc.getSpec().getClusterIP(), 80, Protocol.TCP,
                r -> r.outcome() == Reply.Outcome.REFUSED, patient);
        awaitReply("NodePort rejected", external(), cluster.nodeAddress(backendNode1, primary()), nodePort,
                Protocol.TCP, r -> r.outcome() == Reply.Outcome.REFUSED, patient);
    }

    /**
     * service.go "should allow creating a basic SCTP service with pod and endpoints": SCTP to the cluster
     * IP (cross-node) and the NodePort reaches the pod (with {@link Capabilities.Sctp#INIT_DNAT}, the
     * INIT is DNATed to it).
     */
    @Test
    void sctpService() {
        Assumptions.assumeTrue(cluster.capabilities().sctp() != Capabilities.Sctp.NONE, "cluster without SCTP");
        Map<String, String> app = labels("sctp");
        Service svc = create(type(service("sctp-test", app, port("sctp", Protocol.SCTP, 5060, 5060)), "NodePort"));
        int nodePort = svc.getSpec().getPorts().get(0).getNodePort();
        String pod = deploy("sctp", backendNode1, app, new Backend.Port("sctp", Protocol.SCTP, 5060));
        awaitEndpoints(svc, Map.of(pod, Set.of(5060)));
        awaitReply("SCTP cluster IP", pod(clientNode), svc.getSpec().getClusterIP(), 5060, Protocol.SCTP,
                answeredBy(pod));
        awaitReply("SCTP NodePort via " + backendNode2, external(), cluster.nodeAddress(backendNode2, primary()),
                nodePort, Protocol.SCTP, answeredBy(pod));
    }

    /**
     * dual_stack.go "should create a single stack service with cluster ip from primary service range",
     * "should create service with ipv4,v6 cluster ip" and "should function for pod-Service": a
     * RequireDualStack Service answers on both cluster IPs (the client seen with its address of that
     * family), an IPv6-only Service on its one, NodePorts through nodes' IPv6 addresses.
     */
    @Test
    void dualStackAndIpv6Services() {
        Assumptions.assumeTrue(cluster.capabilities().dualStack(), "cluster is not dual-stack");
        Map<String, String> app = labels("dual");
        Service dual = create(http("dual-test", app, spec -> {
            spec.setType("NodePort");
            spec.setIpFamilyPolicy("RequireDualStack");
            spec.setIpFamilies(List.of("IPv4", "IPv6"));
        }));
        Service v6 = create(http("v6-test", app, spec -> {
            spec.setIpFamilyPolicy("SingleStack");
            spec.setIpFamilies(List.of("IPv6"));
        }));
        assertEquals(2, dual.getSpec().getClusterIPs().size(), "two cluster IPs: " + dual.getSpec().getClusterIPs());
        String pod = deploy("dual", backendNode1, app, HTTP);
        for (String ip : dual.getSpec().getClusterIPs()) {
            IpFamily family = IpFamily.of(ip);
            Reply r = awaitReply("dual-stack cluster IP " + ip, pod(clientNode), ip, 80, Protocol.TCP, answeredBy(pod));
            assertEquals(cluster.sourceAddress(pod(clientNode), family), r.clientAddress(), family + " client: " + r);
        }
        String v6Ip = v6.getSpec().getClusterIP();
        assertEquals(IpFamily.IPv6, IpFamily.of(v6Ip), "IPv6-only cluster IP: " + v6Ip);
        awaitReply("IPv6-only cluster IP", pod(clientNode), v6Ip, 80, Protocol.TCP, answeredBy(pod));
        int nodePort = dual.getSpec().getPorts().get(0).getNodePort();
        awaitReply("NodePort via an IPv6 node address", external(), cluster.nodeAddress(backendNode2, IpFamily.IPv6),
                nodePort, Protocol.TCP, answeredBy(pod));
    }

    // ---- Objects -----------------------------------------------------------------------------------

    private String unique(String base) {
        return base + "-" + run + "-" + (sequence++);
    }

    private Map<String, String> labels(String app) {
        return Map.of("app", unique(app));
    }

    /** A ClusterIP Service (cluster IP left to the cluster) named base-RUN-N selecting selector. */
    private Service service(String base, Map<String, String> selector, ServicePort... ports) {
        return new ServiceBuilder().withNewMetadata().withName(unique(base)).withNamespace(cluster.namespace())
                .endMetadata().withNewSpec().withType("ClusterIP").withSelector(selector).withPorts(ports).endSpec()
                .build();
    }

    /** A Service with one TCP port "http" 80 -> 8080, its spec then changed by edit. */
    private Service http(String base, Map<String, String> selector, Consumer<ServiceSpec> edit) {
        Service s = service(base, selector, port("http", Protocol.TCP, 80, 8080));
        edit.accept(s.getSpec());
        return s;
    }

    private static ServicePort port(String name, Protocol protocol, int port, Object targetPort) {
        return new ServicePortBuilder().withName(name).withProtocol(protocol.name()).withPort(port)
                .withTargetPort(targetPort instanceof Integer i ? new IntOrString(i) : new IntOrString((String) targetPort))
                .build();
    }

    private static Service type(Service s, String type) {
        s.getSpec().setType(type);
        return s;
    }

    private static Service affinity(Service s, boolean clientIp) {
        s.getSpec().setSessionAffinity(clientIp ? "ClientIP" : "None");
        s.getSpec().setSessionAffinityConfig(null);
        return s;
    }

    private Service create(Service s) {
        cluster.client().services().inNamespace(cluster.namespace()).resource(s).create();
        createdServices.add(s.getMetadata().getName());
        return awaitAllocated(s);
    }

    private Service get(Service s) {
        return cluster.client().services().inNamespace(cluster.namespace()).withName(s.getMetadata().getName()).get();
    }

    /** Reads the Service, changes it and writes it back (again on a conflict, bounded), then awaits its allocations. */
    private Service update(Service s, UnaryOperator<Service> change) {
        for (int attempt = 1; ; attempt++) {
            try {
                cluster.client().services().inNamespace(cluster.namespace()).resource(change.apply(get(s))).update();
                return awaitAllocated(s);
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 || attempt >= 5) {
                    throw e;
                }
            }
        }
    }

    /** The Service once the cluster filled in its cluster IPs and NodePorts (as an API server does). */
    private Service awaitAllocated(Service s) {
        return Eventually.await("allocations of Service " + s.getMetadata().getName(), cluster.convergence(),
                () -> get(s), ServiceBehaviours::allocated);
    }

    private static boolean allocated(Service s) {
        String type = s.getSpec().getType();
        if ("ExternalName".equals(type)) {
            return true;
        }
        boolean ip = blankToNull(s.getSpec().getClusterIP()) != null && s.getSpec().getIpFamilies() != null
                && !s.getSpec().getIpFamilies().isEmpty();
        boolean external = "NodePort".equals(type) || "LoadBalancer".equals(type);
        boolean ports = !external || s.getSpec().getPorts().stream().allMatch(p -> p.getNodePort() != null && p.getNodePort() > 0);
        boolean health = !("LoadBalancer".equals(type) && "Local".equals(s.getSpec().getExternalTrafficPolicy()))
                || (s.getSpec().getHealthCheckNodePort() != null && s.getSpec().getHealthCheckNodePort() > 0);
        return ip && ports && health;
    }

    private static String blankToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    private String deploy(String base, String node, Map<String, String> labels, Backend.Port... ports) {
        String name = unique(base);
        createdPods.add(name);
        cluster.deploy(new Backend(name, node, labels, List.of(ports)));
        return name;
    }

    private void deletePod(String name) {
        createdPods.remove(name);
        cluster.deletePod(name);
    }

    /** The Service's endpoints by pod name (targetRef) with their ports, from its EndpointSlices. */
    private Map<String, Set<Integer>> endpoints(Service s) {
        Map<String, Set<Integer>> out = new TreeMap<>();
        List<EndpointSlice> slices = cluster.client().discovery().v1().endpointSlices().inNamespace(cluster.namespace())
                .withLabel("kubernetes.io/service-name", s.getMetadata().getName()).list().getItems();
        for (EndpointSlice slice : slices) {
            if (!slice.getAddressType().equals(primary().name()) || slice.getEndpoints() == null) {
                continue;
            }
            for (var e : slice.getEndpoints()) {
                if (e.getTargetRef() != null && !Boolean.FALSE.equals(e.getConditions().getReady())) {
                    Set<Integer> ports = out.computeIfAbsent(e.getTargetRef().getName(), k -> new HashSet<>());
                    slice.getPorts().forEach(p -> ports.add(p.getPort()));
                }
            }
        }
        return out;
    }

    private void awaitEndpoints(Service s, Map<String, Set<Integer>> expected) {
        Eventually.await("endpoints of " + s.getMetadata().getName() + " = " + expected, cluster.convergence(),
                () -> endpoints(s), new TreeMap<>(expected)::equals);
    }

    // ---- Traffic -----------------------------------------------------------------------------------

    private IpFamily primary() {
        return cluster.capabilities().families().get(0);
    }

    private static Source pod(String node) {
        return Source.pod(node);
    }

    private static Source external() {
        return Source.external();
    }

    private Reply awaitReply(String what, Source from, String address, int port, Protocol protocol,
                             Predicate<Reply> ok) {
        return awaitReply(what, from, address, port, protocol, ok, REQUEST);
    }

    private Reply awaitReply(String what, Source from, String address, int port, Protocol protocol,
                             Predicate<Reply> ok, Duration timeout) {
        return Eventually.await(what + " (" + protocol + " " + from + " -> " + address + ":" + port + ")",
                cluster.convergence(), () -> cluster.request(from, address, port, protocol, timeout), ok);
    }

    /** n requests: how many each pod answered, failures counted under their outcome's name. */
    private Map<String, Integer> spread(Source from, String address, int port, Protocol protocol, int n,
                                        Duration timeout) {
        Map<String, Integer> counts = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            Reply r = cluster.request(from, address, port, protocol, timeout);
            counts.merge(r.answered() ? r.pod() : r.outcome().name(), 1, Integer::sum);
        }
        return counts;
    }

    private Map<String, Integer> awaitSpread(String what, Source from, String address, int port, Protocol protocol,
                                             int n, Predicate<Map<String, Integer>> ok) {
        return Eventually.await(what + " (" + n + " x " + protocol + " " + from + " -> " + address + ":" + port + ")",
                cluster.convergence(), () -> spread(from, address, port, protocol, n, REQUEST), ok);
    }

    /**
     * Waits until {@value #QUIET} requests in a row fail with outcome (any failure when null), each
     * given {@link #SILENCE} to be answered: one lost request alone proves nothing.
     */
    private void awaitUnanswered(String what, Source from, String address, int port, Protocol protocol,
                                 Reply.Outcome outcome) {
        Eventually.await(what + " (" + QUIET + " x " + protocol + " " + from + " -> " + address + ":" + port + ")",
                cluster.convergence(), () -> spread(from, address, port, protocol, QUIET, SILENCE),
                h -> failures(h) == QUIET && (outcome == null || h.getOrDefault(outcome.name(), 0) == QUIET));
    }

    private static int failures(Map<String, Integer> h) {
        return Arrays.stream(Reply.Outcome.values()).filter(o -> o != Reply.Outcome.ANSWERED)
                .mapToInt(o -> h.getOrDefault(o.name(), 0)).sum();
    }

    private static Predicate<Reply> answeredBy(String pod) {
        return r -> r.answered() && pod.equals(r.pod());
    }

    /** Every request answered by that pod. */
    private static Predicate<Map<String, Integer>> only(String pod) {
        return h -> h.size() == 1 && h.containsKey(pod);
    }

    /** Every request answered, by exactly these pods, each at least once. */
    private static Predicate<Map<String, Integer>> exactly(String... pods) {
        return h -> h.keySet().equals(Set.of(pods));
    }

    /** Every request answered by the same pod, one of these. */
    private static Predicate<Map<String, Integer>> oneOf(String... pods) {
        return h -> h.size() == 1 && Set.of(pods).containsAll(h.keySet());
    }
}
