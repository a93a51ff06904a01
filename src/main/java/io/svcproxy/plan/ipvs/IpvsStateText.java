package io.svcproxy.plan.ipvs;

import io.svcproxy.ipvs.IpvsState;
import io.svcproxy.ipvs.RealServer;
import io.svcproxy.ipvs.VirtualServer;
import io.svcproxy.model.Addresses;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * An IPVS state as text, close to "ipvsadm -Ln": one line per virtual server (protocol, address:port,
 * scheduler, flags, persistence), its destinations below it ("-> ip:port Masq weight"), then the
 * addresses bound on kube-ipvs0. Sorted, so it serves as a golden file.
 */
public final class IpvsStateText {
    private IpvsStateText() {
    }

    public static String render(IpvsState state) {
        StringBuilder sb = new StringBuilder();
        for (VirtualServer vs : state.services().values()) {
            sb.append(service(vs)).append('\n');
            List<RealServer> dests = new ArrayList<>(state.destinationsOf(vs.key()));
            dests.sort(Comparator.comparing(RealServer::key));
            for (RealServer rs : dests) {
                sb.append("  -> ").append(rs.key()).append(" Masq ").append(rs.weight()).append('\n');
            }
        }
        List<InetAddress> bound = new ArrayList<>(state.boundAddresses());
        bound.sort(Comparator.comparing(Addresses::format));
        sb.append("kube-ipvs0:");
        for (InetAddress a : bound) {
            sb.append(' ').append(Addresses.format(a));
        }
        return sb.append('\n').toString();
    }

    /** "TCP  10.96.0.1:443 rr" plus " flag-1,flag-2" and " persistent 10800". */
    public static String service(VirtualServer vs) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%-4s %s %s", vs.protocol(), Addresses.joinHostPort(vs.address(), vs.port()),
                vs.scheduler()));
        List<String> flags = new ArrayList<>();
        if ((vs.flags() & IpvsOptions.FLAG_SCHED1) != 0) {
            flags.add("flag-1");
        }
        if ((vs.flags() & IpvsOptions.FLAG_SCHED2) != 0) {
            flags.add("flag-2");
        }
        if ((vs.flags() & IpvsOptions.FLAG_SCHED3) != 0) {
            flags.add("flag-3");
        }
        if (!flags.isEmpty()) {
            sb.append(" (").append(String.join(",", flags)).append(')');
        }
        if ((vs.flags() & IpvsOptions.FLAG_PERSISTENT) != 0) {
            sb.append(" persistent ").append(vs.timeoutSeconds());
        }
        return sb.toString();
    }
}
