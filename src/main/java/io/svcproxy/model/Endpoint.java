package io.svcproxy.model;

import java.net.InetAddress;
import java.util.Objects;
import java.util.Set;

/**
 * One backend of a service port, from an EndpointSlice.
 *
 * @param nodeName  the node hosting it ("" when unknown)
 * @param zoneHints hints.forZones names
 * @param nodeHints hints.forNodes names
 */
public record Endpoint(
        InetAddress ip,
        int port,
        boolean ready,
        boolean serving,
        boolean terminating,
        String nodeName,
        Set<String> zoneHints,
        Set<String> nodeHints) implements Comparable<Endpoint> {

    public Endpoint {
        Objects.requireNonNull(ip, "ip");
        Objects.requireNonNull(nodeName, "nodeName");
        zoneHints = Set.copyOf(zoneHints);
        nodeHints = Set.copyOf(nodeHints);
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("endpoint port " + port + " out of range 1..65535");
        }
    }

    /** A ready endpoint with no topology data; convenient in tests. */
    public static Endpoint ready(InetAddress ip, int port, String nodeName) {
        return new Endpoint(ip, port, true, true, false, nodeName, Set.of(), Set.of());
    }

    public IpFamily family() {
        return IpFamily.of(ip);
    }

    public boolean isLocal(String hostname) {
        return !nodeName.isEmpty() && nodeName.equals(hostname);
    }

    /** kube-proxy's endpoint string: "ip:port" / "[ip]:port"; also the sort key and part of the SEP hash. */
    @Override
    public String toString() {
        return Addresses.joinHostPort(ip, port);
    }

    @Override
    public int compareTo(Endpoint o) {
        return toString().compareTo(o.toString());
    }
}
