package io.svcproxy.apply.conntrack;

import io.svcproxy.apply.CommandRunner;
import io.svcproxy.apply.ConntrackCleaner;
import io.svcproxy.netlink.Netlink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicBoolean;

/** Picks how conntrack entries are deleted: netlink when it works in this process, else the conntrack tool. */
public final class ConntrackCleaners {
    private static final Logger LOG = LoggerFactory.getLogger(ConntrackCleaners.class);
    private static final AtomicBoolean LOGGED = new AtomicBoolean();

    private ConntrackCleaners() {
    }

    public static ConntrackCleaner create(CommandRunner runner) {
        return choose(Netlink.availability(), runner);
    }

    static ConntrackCleaner choose(Netlink.Availability availability, CommandRunner runner) {
        boolean first = LOGGED.compareAndSet(false, true);
        if (availability.available()) {
            if (first) {
                LOG.info("conntrack cleanup: netlink (ctnetlink)");
            }
            return new NetlinkConntrackCleaner();
        }
        if (first) {
            LOG.warn("conntrack cleanup: falling back to the conntrack tool ({})", availability.reason());
        }
        return new ToolConntrackCleaner(runner);
    }
}
