package io.svcproxy.explain;

import java.net.InetAddress;
import java.util.List;

/**
 * What the walk needs to know of the node beyond the rules: its own addresses, for
 * {@code -m addrtype --dst-type LOCAL} / {@code fib daddr type local} (loopback is always local).
 */
public record NodeFacts(List<InetAddress> addresses) {
    public NodeFacts {
        addresses = List.copyOf(addresses);
    }

    public boolean isLocal(InetAddress a) {
        return a.isLoopbackAddress() || addresses.contains(a);
    }
}
