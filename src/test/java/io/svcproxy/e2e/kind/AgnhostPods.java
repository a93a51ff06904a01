package io.svcproxy.e2e.kind;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.svcproxy.e2e.Backend;
import io.svcproxy.e2e.Protocol;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The pods of the kind driver, all running agnhost (registry.k8s.io/e2e-test-images/agnhost):
 * backends run {@code netexec}, which serves one HTTP, one UDP and one SCTP port per process, so a
 * backend gets one container per group of (TCP, UDP, SCTP) ports; the client pod of each node and
 * the host-network pod of each node run netexec too (their {@code /dial} endpoint makes SCTP
 * requests, and curl and bash make the others). Pods are pinned with {@code nodeName} (no scheduler,
 * so a control-plane node counts like any other) and tolerate every taint.
 */
public final class AgnhostPods {
    /** Label on every pod this driver runs: {@code backend}, {@code client} or {@code host}; no test selects on it. */
    public static final String ROLE = "svcproxy-e2e/role";
    /** The HTTP port of client pods' netexec (pod network, never the target of a Service). */
    public static final int CLIENT_HTTP_PORT = 8080;
    /** The HTTP port of host-network pods' netexec, on the node's own addresses: away from common ports. */
    public static final int HOST_HTTP_PORT = 18123;
    /** First port tried for the HTTP server of a backend container that serves no TCP port of the test. */
    static final int SPARE_HTTP_PORT = 18080;

    private final String image;

    public AgnhostPods(String image) {
        this.image = image;
    }

    /** A backend pod: the labels asked for (and {@link #ROLE}), one netexec container per group of ports. */
    public Pod backend(String namespace, Backend b) {
        Map<String, String> labels = new LinkedHashMap<>(b.labels());
        labels.put(ROLE, "backend");
        return base(namespace, b.name(), b.node(), labels, false).withContainers(backendContainers(b)).endSpec().build();
    }

    /** The client pod on a node (pod network): the source of {@code Source.pod(node)}. */
    public Pod client(String namespace, String name, String node) {
        return base(namespace, name, node, Map.of(ROLE, "client"), false)
                .withContainers(netexec("client", CLIENT_HTTP_PORT, -1, -1, List.of())).endSpec().build();
    }

    /** The host-network pod on a node: the source of {@code Source.node(node)}. */
    public Pod host(String namespace, String name, String node) {
        return base(namespace, name, node, Map.of(ROLE, "host"), true)
                .withContainers(netexec("host", HOST_HTTP_PORT, -1, -1, List.of())).endSpec().build();
    }

    private PodBuilder.SpecNested<PodBuilder> base(String namespace, String name, String node, Map<String, String> labels,
                                                   boolean hostNetwork) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace(namespace).withLabels(labels).endMetadata()
                .withNewSpec().withNodeName(node).withHostNetwork(hostNetwork ? true : null)
                .withDnsPolicy(hostNetwork ? "ClusterFirstWithHostNet" : null)
                .addNewToleration().withOperator("Exists").endToleration()
                .withTerminationGracePeriodSeconds(2L)
                .withEnableServiceLinks(false)
                .withAutomountServiceAccountToken(false);
    }

    /** Container i serves the i-th TCP, UDP and SCTP port of the backend (each netexec has one of each). */
    List<Container> backendContainers(Backend b) {
        List<Backend.Port> tcp = byProtocol(b, Protocol.TCP);
        List<Backend.Port> udp = byProtocol(b, Protocol.UDP);
        List<Backend.Port> sctp = byProtocol(b, Protocol.SCTP);
        int n = Math.max(tcp.size(), Math.max(udp.size(), sctp.size()));
        Set<Integer> tcpNumbers = new HashSet<>();
        tcp.forEach(p -> tcpNumbers.add(p.port()));
        int spare = SPARE_HTTP_PORT;
        List<Container> containers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            List<Backend.Port> declared = new ArrayList<>();
            int http;
            if (i < tcp.size()) {
                http = tcp.get(i).port();
                declared.add(tcp.get(i));
            } else {
                while (tcpNumbers.contains(spare)) {
                    spare++;
                }
                http = spare++;   // netexec always serves HTTP: on a port no Service of the test targets
            }
            int udpPort = i < udp.size() ? udp.get(i).port() : -1;
            int sctpPort = i < sctp.size() ? sctp.get(i).port() : -1;
            if (udpPort > 0) {
                declared.add(udp.get(i));
            }
            if (sctpPort > 0) {
                declared.add(sctp.get(i));
            }
            containers.add(netexec("netexec-" + i, http, udpPort, sctpPort, declared));
        }
        return containers;
    }

    private Container netexec(String name, int http, int udp, int sctp, List<Backend.Port> declared) {
        List<String> args = new ArrayList<>(List.of("netexec", "--http-port=" + http, "--udp-port=" + udp));
        if (sctp > 0) {
            args.add("--sctp-port=" + sctp);
        }
        List<ContainerPort> ports = declared.stream().map(p -> new ContainerPortBuilder().withName(p.name())
                .withProtocol(p.protocol().name()).withContainerPort(p.port()).build()).toList();
        return new ContainerBuilder().withName(name).withImage(image).withImagePullPolicy("IfNotPresent")
                .withArgs(args).withPorts(ports).withReadinessProbe(readiness(http, udp > 0 || sctp > 0)).build();
    }

    /** netexec's /healthz is 200 only once its UDP or SCTP server listens; /hostname answers as soon as HTTP does. */
    private static Probe readiness(int httpPort, boolean datagramServer) {
        return new ProbeBuilder().withNewHttpGet().withPath(datagramServer ? "/healthz" : "/hostname")
                .withPort(new IntOrString(httpPort)).endHttpGet()
                .withPeriodSeconds(1).withFailureThreshold(3).withTimeoutSeconds(1).build();
    }

    private static List<Backend.Port> byProtocol(Backend b, Protocol protocol) {
        return b.ports().stream().filter(p -> p.protocol() == protocol).toList();
    }
}
