package io.svcproxy.netlink.nftables;

import io.svcproxy.nftables.NftOp;

/** An op as nft would name it in a log line: "add rule ip kube-proxy services", "delete set ip kube-proxy x". */
final class NftOpText {
    private NftOpText() {
    }

    static String describe(NftOp op) {
        String where = op.family().keyword() + " " + op.table();
        if (op instanceof NftOp.AddTable) {
            return "add table " + where;
        } else if (op instanceof NftOp.DeleteTable) {
            return "delete table " + where;
        } else if (op instanceof NftOp.AddChain c) {
            return "add chain " + where + " " + c.chain().name();
        } else if (op instanceof NftOp.FlushChain c) {
            return "flush chain " + where + " " + c.chain();
        } else if (op instanceof NftOp.DeleteChain c) {
            return "delete chain " + where + " " + c.chain();
        } else if (op instanceof NftOp.AddRule r) {
            return "add rule " + where + " " + r.chain();
        } else if (op instanceof NftOp.AddSet s) {
            return "add " + (s.set().isMap() ? "map " : "set ") + where + " " + s.set().name();
        } else if (op instanceof NftOp.DeleteSet s) {
            return "delete set " + where + " " + s.set();
        } else if (op instanceof NftOp.AddElements e) {
            return "add element " + where + " " + e.set() + " (" + e.elements().size() + " elements)";
        } else if (op instanceof NftOp.DeleteElements e) {
            return "delete element " + where + " " + e.set() + " (" + e.elements().size() + " elements)";
        }
        return op.toString();
    }
}
