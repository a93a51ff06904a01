package io.svcproxy.netlink.nftables;

import io.svcproxy.nftables.NftExpr;
import io.svcproxy.nftables.NftFamily;
import io.svcproxy.nftables.NftKeyType;
import io.svcproxy.nftables.NftSet;
import io.svcproxy.nftables.NftType;

import static io.svcproxy.netlink.nftables.NftConstants.UDATA_SET_COMMENT;
import static io.svcproxy.netlink.nftables.NftConstants.UDATA_SET_DATABYTEORDER;
import static io.svcproxy.netlink.nftables.NftConstants.UDATA_SET_DATA_INTERVAL;
import static io.svcproxy.netlink.nftables.NftConstants.UDATA_SET_DATA_TYPEOF;
import static io.svcproxy.netlink.nftables.NftConstants.UDATA_SET_KEYBYTEORDER;
import static io.svcproxy.netlink.nftables.NftConstants.UDATA_SET_KEY_TYPEOF;
import static io.svcproxy.netlink.nftables.NftConstants.UDATA_SET_MERGE_ELEMENTS;
import static io.svcproxy.netlink.nftables.NftConstants.UDATA_SET_TYPEOF_DATA;
import static io.svcproxy.netlink.nftables.NftConstants.UDATA_SET_TYPEOF_EXPR;

/**
 * NFTA_SET_USERDATA as nft 1.0.6 writes it, so `nft list` prints our sets as it prints its own:
 * the key's (and a map's data's) byte order, which nft needs to print integers; a typeof
 * description for concatenations and for anonymous sets keyed by an address; merge for anonymous
 * interval sets; the comment. The rules were read off the bytes nft sends (recorded in
 * test-fixtures/netlink/nftables), not guessed.
 */
final class NftSetUserdata {
    // nft's byteorder enum
    private static final int BYTEORDER_INVALID = 0;
    private static final int BYTEORDER_HOST = 1;
    private static final int BYTEORDER_BIG = 2;
    // nft's expression kinds as it records them in typeof user data
    private static final int EXPR_VERDICT = 1;
    private static final int EXPR_PAYLOAD = 7;
    private static final int EXPR_CONCAT = 13;
    // nft's protocol description and header field ids of the address fields we key sets by
    private static final int PROTO_DESC_IP = 12;
    private static final int PROTO_DESC_IP6 = 13;
    private static final int IPHDR_SADDR = 11;
    private static final int IPHDR_DADDR = 12;
    private static final int IP6HDR_SADDR = 8;
    private static final int IP6HDR_DADDR = 9;

    private NftSetUserdata() {
    }

    /**
     * @param keyLoad for an anonymous set, the expression that loaded the lookup's key (nft
     *                describes address keys by it), else null
     */
    static byte[] build(NftFamily family, NftSet set, NftExpr keyLoad) {
        NftUserdata.Writer w = new NftUserdata.Writer();
        w.putU32(UDATA_SET_KEYBYTEORDER, byteOrder(set.keyType()));
        if (set.isMap()) {
            w.putU32(UDATA_SET_DATABYTEORDER, set.isVerdictMap() ? BYTEORDER_INVALID : byteOrder(set.dataType()));
        }
        boolean interval = (set.flags() & NftSet.F_INTERVAL) != 0;
        if (set.isAnonymous() && interval) {
            w.putU32(UDATA_SET_MERGE_ELEMENTS, 1);
        }
        byte[] keyTypeof = keyTypeof(family, set, keyLoad);
        if (keyTypeof != null) {
            w.put(UDATA_SET_KEY_TYPEOF, keyTypeof);
        }
        if (set.isAnonymous() && set.isVerdictMap()) {
            w.put(UDATA_SET_DATA_TYPEOF, typeof(EXPR_VERDICT, new byte[0]));
        }
        if (set.isMap()) {
            w.putU32(UDATA_SET_DATA_INTERVAL, 0);
        }
        if (set.comment() != null) {
            w.putString(UDATA_SET_COMMENT, set.comment());
        }
        return w.toByteArray();
    }

    /** The set's comment from its user data, or null. */
    static String comment(byte[] udata) {
        return NftUserdata.comment(udata, UDATA_SET_COMMENT);
    }

    private static int byteOrder(NftKeyType t) {
        if (t.concatenated()) {
            return BYTEORDER_INVALID;
        }
        NftType only = t.fields().get(0);
        if (only == NftType.VERDICT) {
            return BYTEORDER_INVALID;
        }
        return only.bigEndian() ? BYTEORDER_BIG : BYTEORDER_HOST;
    }

    private static byte[] keyTypeof(NftFamily family, NftSet set, NftExpr keyLoad) {
        if (set.keyType().concatenated()) {
            return typeof(EXPR_CONCAT, new byte[0]);
        }
        if (set.isAnonymous() && keyLoad instanceof NftExpr.Payload p
                && p.base() == NftExpr.Payload.NETWORK_HEADER) {
            int field = addressField(family, p.offset(), p.len());
            if (field > 0) {
                int desc = family == NftFamily.IP ? PROTO_DESC_IP : PROTO_DESC_IP6;
                byte[] payload = new NftUserdata.Writer().putU32(0, desc).putU32(1, field).toByteArray();
                return typeof(EXPR_PAYLOAD, payload);
            }
        }
        return null;
    }

    private static int addressField(NftFamily family, int offset, int len) {
        if (family == NftFamily.IP && len == 4) {
            return offset == 12 ? IPHDR_SADDR : offset == 16 ? IPHDR_DADDR : 0;
        }
        if (family == NftFamily.IP6 && len == 16) {
            return offset == 8 ? IP6HDR_SADDR : offset == 24 ? IP6HDR_DADDR : 0;
        }
        return 0;
    }

    private static byte[] typeof(int exprKind, byte[] data) {
        return new NftUserdata.Writer().putU32(UDATA_SET_TYPEOF_EXPR, exprKind).put(UDATA_SET_TYPEOF_DATA, data)
                .toByteArray();
    }
}
