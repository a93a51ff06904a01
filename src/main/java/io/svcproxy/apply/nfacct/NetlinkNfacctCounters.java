package io.svcproxy.apply.nfacct;

import io.svcproxy.apply.NfacctCounters;
import io.svcproxy.netlink.Netlink;
import io.svcproxy.netlink.NetlinkConstants;
import io.svcproxy.netlink.NetlinkException;
import io.svcproxy.netlink.NetlinkSocket;
import io.svcproxy.netlink.nfacct.NfacctMessages;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteOrder;
import java.util.Collection;
import java.util.function.Supplier;

/**
 * Creates nfacct counters over nfnetlink (NFNL_MSG_ACCT_NEW, exclusive create). The kernel answers
 * an existing counter with EBUSY (EEXIST on others): it stays, with its counts.
 */
public final class NetlinkNfacctCounters implements NfacctCounters {
    private static final Logger LOG = LoggerFactory.getLogger(NetlinkNfacctCounters.class);

    private final Supplier<NetlinkSocket> sockets;

    public NetlinkNfacctCounters() {
        this(() -> Netlink.open(NetlinkConstants.NETLINK_NETFILTER));
    }

    public NetlinkNfacctCounters(Supplier<NetlinkSocket> sockets) {
        this.sockets = sockets;
    }

    @Override
    public void ensure(Collection<String> names) {
        if (names.isEmpty()) {
            return;
        }
        names.forEach(NfacctMessages::validateName);
        try (NetlinkSocket socket = sockets.get()) {
            for (String name : names) {
                try {
                    socket.acknowledged(NfacctMessages.createRequest(name, ByteOrder.nativeOrder()), "nfacct add " + name);
                    LOG.debug("created nfacct counter {}", name);
                } catch (NetlinkException e) {
                    if (e.errno() != NetlinkConstants.EBUSY && e.errno() != NetlinkConstants.EEXIST) {
                        throw e;
                    }
                }
            }
        } catch (NetlinkException e) {
            throw new NfacctException("creating nfacct counters over netlink failed: " + e.getMessage(), e);
        }
    }
}
