package io.svcproxy.apply.conntrack;

import io.svcproxy.apply.ConntrackCleaner;
import io.svcproxy.model.IpFamily;
import io.svcproxy.netlink.Netlink;
import io.svcproxy.netlink.NetlinkConstants;
import io.svcproxy.netlink.NetlinkException;
import io.svcproxy.netlink.NetlinkMessage;
import io.svcproxy.netlink.NetlinkParseException;
import io.svcproxy.netlink.NetlinkSocket;
import io.svcproxy.netlink.conntrack.ConntrackEntry;
import io.svcproxy.netlink.conntrack.ConntrackMessages;
import io.svcproxy.plan.ConntrackFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Deletes conntrack entries over ctnetlink: one dump per family that has filters, matching in
 * Java, then one acknowledged delete per matching entry (by tuple, zone and id). An entry that
 * vanished in between (ENOENT) counts as gone, not as an error.
 */
public final class NetlinkConntrackCleaner implements ConntrackCleaner {
    private static final Logger LOG = LoggerFactory.getLogger(NetlinkConntrackCleaner.class);

    private final Supplier<NetlinkSocket> sockets;

    public NetlinkConntrackCleaner() {
        this(() -> Netlink.open(NetlinkConstants.NETLINK_NETFILTER));
    }

    /** With a socket source, e.g. one opening its socket in another network namespace. */
    public NetlinkConntrackCleaner(Supplier<NetlinkSocket> sockets) {
        this.sockets = sockets;
    }

    @Override
    public int delete(List<ConntrackFilter> filters) {
        if (filters.isEmpty()) {
            return 0;
        }
        Map<IpFamily, List<ConntrackFilter>> byFamily = new EnumMap<>(IpFamily.class);
        for (ConntrackFilter f : filters) {
            byFamily.computeIfAbsent(f.family(), k -> new ArrayList<>()).add(f);
        }
        try (NetlinkSocket socket = sockets.get()) {
            int deleted = 0;
            for (Map.Entry<IpFamily, List<ConntrackFilter>> e : byFamily.entrySet()) {
                deleted += deleteFamily(socket, e.getKey(), e.getValue());
            }
            return deleted;
        } catch (NetlinkException e) {
            throw new ConntrackCleanupException("conntrack cleanup over netlink failed: " + e.getMessage(), e);
        }
    }

    private int deleteFamily(NetlinkSocket socket, IpFamily family, List<ConntrackFilter> filters) {
        List<NetlinkMessage> dump = socket.dump(
                ConntrackMessages.dumpRequest(ConntrackFilterMatch.addressFamily(family), ByteOrder.nativeOrder()),
                "conntrack dump (" + family.kubernetesName() + ")");
        int deleted = 0;
        for (NetlinkMessage m : dump) {
            if (!ConntrackMessages.isEntry(m)) {
                continue;
            }
            ConntrackEntry entry;
            try {
                entry = ConntrackMessages.parseEntry(m);
            } catch (NetlinkParseException e) {
                LOG.warn("skipping a conntrack entry that cannot be parsed: {}", e.getMessage());
                continue;
            }
            if (filters.stream().anyMatch(f -> ConntrackFilterMatch.matches(f, entry)) && deleteEntry(socket, entry)) {
                deleted++;
            }
        }
        LOG.debug("deleted {} {} conntrack entries for {} filters", deleted, family.kubernetesName(), filters.size());
        return deleted;
    }

    private static boolean deleteEntry(NetlinkSocket socket, ConntrackEntry entry) {
        try {
            socket.acknowledged(ConntrackMessages.deleteRequest(entry, ByteOrder.nativeOrder()), "conntrack delete " + entry);
            return true;
        } catch (NetlinkException e) {
            if (e.errno() == NetlinkConstants.ENOENT) {
                return false;   // expired or deleted by someone else since the dump
            }
            throw e;
        }
    }
}
