package io.svcproxy.apply.conntrack;

import io.svcproxy.model.IpFamily;
import io.svcproxy.model.Protocol;
import io.svcproxy.netlink.NetlinkConstants;
import io.svcproxy.netlink.conntrack.ConntrackEntry;
import io.svcproxy.plan.ConntrackFilter;

/** Whether a dumped conntrack entry is selected by a {@link ConntrackFilter} (every set field must match). */
final class ConntrackFilterMatch {
    private ConntrackFilterMatch() {
    }

    static boolean matches(ConntrackFilter filter, ConntrackEntry entry) {
        return entry.family() == addressFamily(filter.family())
                && entry.original().protocol() == protocolNumber(filter.protocol())
                && (filter.originalDestination() == null || filter.originalDestination().equals(entry.original().destination()))
                && (filter.originalDestinationPort() == 0 || filter.originalDestinationPort() == entry.original().destinationPort())
                && (filter.replySource() == null || filter.replySource().equals(entry.reply().source()));
    }

    static int addressFamily(IpFamily family) {
        return family == IpFamily.V4 ? NetlinkConstants.AF_INET : NetlinkConstants.AF_INET6;
    }

    static int protocolNumber(Protocol protocol) {
        return switch (protocol) {
            case TCP -> NetlinkConstants.IPPROTO_TCP;
            case UDP -> NetlinkConstants.IPPROTO_UDP;
            case SCTP -> NetlinkConstants.IPPROTO_SCTP;
        };
    }
}
