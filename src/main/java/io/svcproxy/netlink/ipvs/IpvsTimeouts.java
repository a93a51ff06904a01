package io.svcproxy.netlink.ipvs;

/**
 * IPVS connection timeouts in seconds (ipvsadm --set tcp tcpfin udp). When set, 0 means "leave
 * unchanged", as the kernel treats it.
 */
public record IpvsTimeouts(int tcpSeconds, int tcpFinSeconds, int udpSeconds) {
    public IpvsTimeouts {
        if (tcpSeconds < 0 || tcpFinSeconds < 0 || udpSeconds < 0) {
            throw new IllegalArgumentException("negative IPVS timeout: " + tcpSeconds + "/" + tcpFinSeconds + "/" + udpSeconds);
        }
    }
}
