package io.svcproxy.ipset;

/** The ipset types kube-proxy's IPVS mode uses, with how a member of each is written. */
public enum IpsetType {
    /** Member "IP". */
    HASH_IP("hash:ip"),
    /** Member "IP,proto:port". */
    HASH_IP_PORT("hash:ip,port"),
    /** Member "IP,proto:port,IP2". */
    HASH_IP_PORT_IP("hash:ip,port,ip"),
    /** Member "IP,proto:port,CIDR". */
    HASH_IP_PORT_NET("hash:ip,port,net"),
    /** Member "port"; family-less, created with "range 0-65535". */
    BITMAP_PORT("bitmap:port");

    private final String text;

    IpsetType(String text) {
        this.text = text;
    }

    /** The name ipset uses ("hash:ip,port"). */
    public String text() {
        return text;
    }

    public boolean hash() {
        return this != BITMAP_PORT;
    }

    /** The match direction flags of "-m set --match-set NAME FLAGS" kube-proxy uses with this type. */
    public String dstMatch() {
        switch (this) {
            case HASH_IP:
            case BITMAP_PORT:
                return "dst";
            default:
                return "dst,dst";
        }
    }
}
