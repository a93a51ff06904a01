package io.svcproxy.e2e;

import io.fabric8.kubernetes.client.KubernetesClient;

import java.time.Duration;
import java.util.List;

/**
 * What the e2e suite of Service behaviours ({@code ServiceBehaviours}) needs from a cluster, so the
 * same suite runs on a cluster of network namespaces ({@code NetnsCluster}, {@code make e2e}) and on
 * a real cluster (kind, with agnhost pods). The suite speaks Kubernetes: it writes plain
 * {@code v1/Service} objects with selectors through {@link #client()}, and asks the driver for pods
 * with labels ({@link #deploy}) and for requests from a place in the cluster ({@link #request}).
 * Everything a driver does beyond that (pods, endpoints, clients, networks) stays behind this interface.
 *
 * <p>Contract shared by every method:
 * <ul>
 *   <li>Objects live in {@link #namespace()}, a namespace the driver made for this run and removes in
 *       {@link #close()}. Tests pick unique Service and pod names and delete what they created.</li>
 *   <li>Like an API server, the cluster allocates {@code spec.clusterIP(s)} for Services (not
 *       ExternalName, not {@code clusterIP: None}) and {@code nodePort}s / {@code healthCheckNodePort}
 *       when they are left empty, from its Service CIDRs and the NodePort range 30000-32767, and
 *       maintains {@code discovery.k8s.io/v1} EndpointSlices for Services with a selector. Allocation
 *       may be asynchronous: read the Service back (and wait with {@link Eventually}) before using it.</li>
 *   <li>Proxies converge asynchronously: the suite waits for a condition with {@link Eventually},
 *       bounded by {@link #convergence()}; a driver never waits for the proxy on the suite's behalf
 *       except where a method says so.</li>
 *   <li>Every address a driver returns (pod IPs, node addresses, source addresses, the client
 *       address in a {@link Reply}) is rendered as {@link java.net.InetAddress#getHostAddress()}
 *       renders it (IPv6 uncompressed, no brackets), so the suite compares addresses as strings.</li>
 *   <li>Methods are called from one test thread at a time; they throw (never return null) when the
 *       cluster cannot do what was asked, with a message that names what failed.</li>
 * </ul>
 */
public interface E2eCluster extends AutoCloseable {

    /** An admin client of the cluster's API server: the suite creates, updates and deletes Services with it. */
    KubernetesClient client();

    /** The Kubernetes namespace this run's objects live in (made by the driver, deleted by {@link #close()}). */
    String namespace();

    /**
     * The nodes pods can be deployed on, by Node name, in a stable order; at least two (the netns
     * cluster has three). Every node runs the proxy under test.
     */
    List<String> nodes();

    /** The node's address of that family (its InternalIP), as a client outside the cluster reaches it. */
    String nodeAddress(String node, IpFamily family);

    /** What this cluster can do; the suite skips or adapts the behaviours it cannot show. */
    Capabilities capabilities();

    /**
     * Runs a backend pod and returns once it serves: a Pod named {@code pod.name()} with
     * {@code pod.labels()} on node {@code pod.node()}, with one container port per {@link Backend.Port}
     * (name, protocol, number), each TCP and UDP port serving requests so that {@link #request} can
     * tell which pod answered and which client address it saw (netns: {@code EchoServer} answers a
     * connection or a datagram with the line {@code "POD_NAME CLIENT_IP"}; kind: agnhost
     * {@code netexec}, whose {@code /hostname} and {@code /clientip} say the same). SCTP ports
     * are declared on the Pod; whether they answer is {@link Capabilities#sctp()}. The pod is Ready
     * (so its endpoints will appear, asynchronously, in EndpointSlices of Services selecting it) with
     * an address of every family in {@link Capabilities#families()}.
     *
     * @return the pod's IP of each family, in the order of {@link Capabilities#families()}
     * @throws IllegalArgumentException if a pod of that name already runs or the node is unknown
     */
    List<String> deploy(Backend pod);

    /**
     * Deletes a pod deployed by {@link #deploy} and returns once it no longer answers on its
     * address and its Pod object is gone (its endpoints leave the slices asynchronously).
     */
    void deletePod(String name);

    /** Names of the pods {@link #deploy} started and not yet deleted. */
    List<String> pods();

    /**
     * One request from {@code from} to {@code address:port} over {@code protocol}, each attempt
     * bounded by {@code timeout}: a new TCP connection reading one line, or one UDP datagram from a
     * fresh source port awaiting one reply. The result says
     * which pod answered and the client address it saw, or how it failed: {@link Reply.Outcome#REFUSED}
     * for an immediate reject (TCP RST or ICMP port/admin-prohibited unreachable), TIMEOUT for silence.
     * For SCTP with {@link Capabilities.Sctp#INIT_DNAT} the request is one INIT, and the reply names
     * the pod the proxy DNATed it to (read from the connection tracking of the node it crossed) with a
     * null client address, or TIMEOUT when it was not DNATed.
     *
     * @param address an IP literal (IPv6 without brackets)
     */
    Reply request(Source from, String address, int port, Protocol protocol, Duration timeout);

    /**
     * The HTTP status of {@code GET http://address:port/path} from {@code from} (for a Service's
     * {@code healthCheckNodePort}: 200 with local endpoints, 503 without), or -1 when no HTTP answer
     * came within {@code timeout}.
     */
    int httpStatus(Source from, String address, int port, String path, Duration timeout);

    /**
     * The address {@code from} sends from towards {@code address}'s family (a client pod's IP, a
     * node's InternalIP, the external client's address): what a backend sees when the source is
     * preserved.
     */
    String sourceAddress(Source from, IpFamily family);

    /** How long the suite waits for the proxies to follow a change (bounded polling). */
    Duration convergence();

    /**
     * Saves what diagnoses a failure now (each node's proxy rules, the proxies' logs so far) under the
     * label {@code what}, and returns where it went (a path or a command), for the failure message.
     */
    String diagnostics(String what);

    /** Stops every pod and process it started and removes the namespace; callable more than once. */
    @Override
    void close();
}
