package io.svcproxy.nftables;

/** A verdict: accept, drop, continue, return, or jump/goto a chain of the same table. */
public record NftVerdict(Kind kind, String chain) {
    /** With the kernel's NF_* / NFT_* verdict codes. */
    public enum Kind {
        DROP(0), ACCEPT(1), CONTINUE(-1), BREAK(-2), JUMP(-3), GOTO(-4), RETURN(-5);

        private final int code;

        Kind(int code) {
            this.code = code;
        }

        public int code() {
            return code;
        }

        public static Kind fromCode(int code) {
            for (Kind k : values()) {
                if (k.code == code) {
                    return k;
                }
            }
            throw new IllegalArgumentException("unknown verdict code " + code);
        }
    }

    public static final NftVerdict DROP = new NftVerdict(Kind.DROP, null);
    public static final NftVerdict ACCEPT = new NftVerdict(Kind.ACCEPT, null);
    public static final NftVerdict RETURN = new NftVerdict(Kind.RETURN, null);

    public NftVerdict {
        boolean needsChain = kind == Kind.JUMP || kind == Kind.GOTO;
        if (needsChain != (chain != null)) {
            throw new IllegalArgumentException(kind + (needsChain ? " needs a chain" : " takes no chain"));
        }
    }

    public static NftVerdict jump(String chain) {
        return new NftVerdict(Kind.JUMP, chain);
    }

    public static NftVerdict goTo(String chain) {
        return new NftVerdict(Kind.GOTO, chain);
    }

    /** As nft prints it: "drop", "jump services", "goto reject-chain". */
    public String text() {
        return chain == null ? kind.name().toLowerCase() : kind.name().toLowerCase() + " " + chain;
    }
}
