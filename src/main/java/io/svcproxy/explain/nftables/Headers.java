package io.svcproxy.explain.nftables;

import io.svcproxy.explain.Flow;
import io.svcproxy.explain.Packet;
import io.svcproxy.model.IpFamily;
import io.svcproxy.model.Protocol;

/**
 * The packet's network and transport headers as payload expressions read them, built from what we
 * know: addresses (the destination as DNATed so far), protocol, destination port. The source port is
 * unknown; {@link #sourcePortUnknown} tells a load that would read it.
 */
final class Headers {
    private Headers() {
    }

    static byte[] network(Packet p, Flow f) {
        byte[] src = p.source().getAddress();
        byte[] dst = f.destination().getAddress();
        if (p.family() == IpFamily.V4) {
            byte[] h = new byte[20];
            h[0] = 0x45;
            h[8] = 64;
            h[9] = (byte) proto(p.protocol());
            System.arraycopy(src, 0, h, 12, 4);
            System.arraycopy(dst, 0, h, 16, 4);
            return h;
        }
        byte[] h = new byte[40];
        h[0] = 0x60;
        h[6] = (byte) proto(p.protocol());
        h[7] = 64;
        System.arraycopy(src, 0, h, 8, 16);
        System.arraycopy(dst, 0, h, 24, 16);
        return h;
    }

    /** Ports at 0..3 (source, destination), the rest zero. */
    static byte[] transport(Flow f) {
        byte[] h = new byte[20];
        h[2] = (byte) (f.port() >>> 8);
        h[3] = (byte) f.port();
        return h;
    }

    static boolean sourcePortUnknown(int offset, int len) {
        return offset < 2;
    }

    static int proto(Protocol p) {
        return switch (p) {
            case TCP -> 6;
            case UDP -> 17;
            case SCTP -> 132;
        };
    }
}
