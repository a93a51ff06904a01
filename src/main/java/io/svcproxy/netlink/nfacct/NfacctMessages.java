package io.svcproxy.netlink.nfacct;

import io.svcproxy.netlink.NetlinkMessageBuilder;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import static io.svcproxy.netlink.NetlinkConstants.*;

/** nfnetlink_acct's wire format (linux/netfilter/nfnetlink_acct.h), without any I/O. */
public final class NfacctMessages {
    private NfacctMessages() {
    }

    /**
     * NFNL_MSG_ACCT_NEW for a counter that must not exist yet (NLM_F_CREATE|NLM_F_EXCL, acknowledged):
     * an existing counter is answered with EBUSY (EEXIST on some kernels) and keeps its counts.
     */
    public static NetlinkMessageBuilder createRequest(String name, ByteOrder order) {
        validateName(name);
        return new NetlinkMessageBuilder(nfnlMessageType(NFNL_SUBSYS_ACCT, NFNL_MSG_ACCT_NEW),
                NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, order)
                .nfgenmsg(AF_UNSPEC, NFNETLINK_V0, 0)
                .attrString(NFACCT_NAME, name);
    }

    /** Names are 1..31 bytes without NUL (NFACCT_NAME_MAX includes the terminator). */
    public static void validateName(String name) {
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        if (bytes.length == 0 || bytes.length >= NFACCT_NAME_MAX || name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("nfacct counter name '" + name + "' must be 1.."
                    + (NFACCT_NAME_MAX - 1) + " bytes without NUL");
        }
    }
}
