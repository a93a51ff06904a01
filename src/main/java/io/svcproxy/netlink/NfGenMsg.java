package io.svcproxy.netlink;

/** struct nfgenmsg (linux/netfilter/nfnetlink.h): family, version, res_id in network byte order. */
public record NfGenMsg(int family, int version, int resId) {

    static NfGenMsg decode(byte[] data, int offset) {
        if (data.length - offset < NetlinkConstants.NFGENMSG_LEN) {
            throw new NetlinkParseException("nfgenmsg needs 4 bytes, have " + Math.max(0, data.length - offset));
        }
        return new NfGenMsg(data[offset] & 0xff, data[offset + 1] & 0xff,
                ((data[offset + 2] & 0xff) << 8) | (data[offset + 3] & 0xff));
    }
}
