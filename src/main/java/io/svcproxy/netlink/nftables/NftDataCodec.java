package io.svcproxy.netlink.nftables;

import io.svcproxy.netlink.NetlinkAttribute;
import io.svcproxy.netlink.NetlinkAttributes;
import io.svcproxy.netlink.NetlinkMessageBuilder;
import io.svcproxy.netlink.NetlinkParseException;
import io.svcproxy.nftables.Bytes;
import io.svcproxy.nftables.NftVerdict;

import static io.svcproxy.netlink.nftables.NftConstants.NFTA_DATA_VALUE;
import static io.svcproxy.netlink.nftables.NftConstants.NFTA_DATA_VERDICT;
import static io.svcproxy.netlink.nftables.NftConstants.NFTA_VERDICT_CHAIN;
import static io.svcproxy.netlink.nftables.NftConstants.NFTA_VERDICT_CODE;

/** struct nft_data on the wire: a nest holding either NFTA_DATA_VALUE bytes or a verdict nest. */
final class NftDataCodec {
    private NftDataCodec() {
    }

    static void putValue(NetlinkMessageBuilder b, int attrType, Bytes value) {
        b.beginNested(attrType).attr(NFTA_DATA_VALUE, value.toArray()).endNested();
    }

    static void putVerdict(NetlinkMessageBuilder b, int attrType, NftVerdict v) {
        b.beginNested(attrType).beginNested(NFTA_DATA_VERDICT).attrU32BigEndian(NFTA_VERDICT_CODE, v.kind().code());
        if (v.chain() != null) {
            b.attrString(NFTA_VERDICT_CHAIN, v.chain());
        }
        b.endNested().endNested();
    }

    /** The value bytes of a data nest; a verdict there is a parse error. */
    static Bytes value(NetlinkAttribute data) {
        NetlinkAttribute v = data.nested().require(NFTA_DATA_VALUE, "NFTA_DATA_VALUE");
        return Bytes.of(v.value());
    }

    /** The verdict of a data nest, or null when it holds a value. */
    static NftVerdict verdictOrNull(NetlinkAttribute data) {
        NetlinkAttributes nested = data.nested();
        NetlinkAttribute v = nested.get(NFTA_DATA_VERDICT).orElse(null);
        if (v == null) {
            return null;
        }
        NetlinkAttributes va = v.nested();
        int code = (int) va.require(NFTA_VERDICT_CODE, "NFTA_VERDICT_CODE").u32BigEndian();
        NftVerdict.Kind kind;
        try {
            kind = NftVerdict.Kind.fromCode(code);
        } catch (IllegalArgumentException e) {
            throw new NetlinkParseException("unknown verdict code " + code);
        }
        String chain = va.get(NFTA_VERDICT_CHAIN).map(NetlinkAttribute::string).orElse(null);
        try {
            return new NftVerdict(kind, chain);
        } catch (IllegalArgumentException e) {
            throw new NetlinkParseException("verdict " + kind + ": " + e.getMessage());
        }
    }
}
