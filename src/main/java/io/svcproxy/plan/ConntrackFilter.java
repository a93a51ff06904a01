package io.svcproxy.plan;

import io.svcproxy.model.IpFamily;
import io.svcproxy.model.Protocol;

import java.net.InetAddress;
import java.util.Objects;

/**
 * Selects conntrack entries to delete so clients stop using a stale path (kube-proxy's UDP
 * cleanup). Every set field must match; unset ones match anything.
 *
 * @param originalDestination     destination of the original direction (the service IP), or null
 * @param originalDestinationPort destination port of the original direction, 0 = any
 * @param replySource             source of the reply direction (the endpoint IP after DNAT), or null
 */
public record ConntrackFilter(IpFamily family, Protocol protocol, InetAddress originalDestination,
                              int originalDestinationPort, InetAddress replySource) {
    public ConntrackFilter {
        Objects.requireNonNull(family, "family");
        Objects.requireNonNull(protocol, "protocol");
        if (originalDestinationPort < 0 || originalDestinationPort > 65535) {
            throw new IllegalArgumentException("port " + originalDestinationPort + " out of range");
        }
        if (originalDestination == null && originalDestinationPort == 0 && replySource == null) {
            throw new IllegalArgumentException("a conntrack filter must select something");
        }
    }
}
