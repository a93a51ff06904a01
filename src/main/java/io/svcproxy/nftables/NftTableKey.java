package io.svcproxy.nftables;

/** A table's identity: family and name ("ip kube-proxy"). */
public record NftTableKey(NftFamily family, String name) {
    public static NftTableKey of(NftOp op) {
        return new NftTableKey(op.family(), op.table());
    }

    public static NftTableKey of(NftTable table) {
        return new NftTableKey(table.family(), table.name());
    }

    @Override
    public String toString() {
        return family.keyword() + " " + name;
    }
}
