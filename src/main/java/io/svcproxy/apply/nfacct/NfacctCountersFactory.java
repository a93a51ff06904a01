package io.svcproxy.apply.nfacct;

import io.svcproxy.apply.CommandRunner;
import io.svcproxy.apply.NfacctCounters;
import io.svcproxy.netlink.Netlink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicBoolean;

/** Picks how nfacct counters are created: netlink when it works in this process, else the nfacct tool. */
public final class NfacctCountersFactory {
    private static final Logger LOG = LoggerFactory.getLogger(NfacctCountersFactory.class);
    private static final AtomicBoolean LOGGED = new AtomicBoolean();

    private NfacctCountersFactory() {
    }

    public static NfacctCounters create(CommandRunner runner) {
        return choose(Netlink.availability(), runner);
    }

    static NfacctCounters choose(Netlink.Availability availability, CommandRunner runner) {
        boolean first = LOGGED.compareAndSet(false, true);
        if (availability.available()) {
            if (first) {
                LOG.info("nfacct counters: netlink (nfnetlink_acct)");
            }
            return new NetlinkNfacctCounters();
        }
        if (first) {
            LOG.warn("nfacct counters: falling back to the nfacct tool ({})", availability.reason());
        }
        return new ToolNfacctCounters(runner);
    }
}
