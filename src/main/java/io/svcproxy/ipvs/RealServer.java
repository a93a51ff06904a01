package io.svcproxy.ipvs;

import io.svcproxy.model.Addresses;

import java.net.InetAddress;
import java.util.Objects;

/**
 * One IPVS destination of a virtual service.
 *
 * @param weight            0 = draining (graceful termination), else 1 (kube-proxy gives every endpoint 1)
 * @param activeConnections  read from the kernel; ignored when desired
 * @param inactiveConnections read from the kernel; ignored when desired
 */
public record RealServer(InetAddress address, int port, int weight, int activeConnections,
                         int inactiveConnections) {

    public RealServer {
        Objects.requireNonNull(address, "address");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " out of range");
        }
    }

    public static RealServer of(InetAddress address, int port) {
        return new RealServer(address, port, 1, 0, 0);
    }

    /** Identity inside a virtual service. */
    public String key() {
        return Addresses.joinHostPort(address, port);
    }
}
