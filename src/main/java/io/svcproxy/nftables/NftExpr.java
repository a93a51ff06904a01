package io.svcproxy.nftables;

/**
 * One nf_tables expression of a rule, as the kernel holds it: the values a dump of the rule returns,
 * so a rule we plan and the same rule read back from the kernel compare equal. Registers use the
 * kernel's dump numbering: 0 the verdict register, 1..4 the 16-byte registers, 8..23 the 32-bit
 * ones (NFT_REG32_00 = 8; 32-bit register 8 is the first word of register 1).
 * Constants name the kernel's values (linux/netfilter/nf_tables.h).
 */
public sealed interface NftExpr {
    int REG_VERDICT = 0;
    int REG_1 = 1;
    int REG32_00 = 8;

    /** The 32-bit register holding the {@code word}th word after 16-byte register 1 (REG_1 == REG32_00). */
    static int reg32(int word) {
        return word == 0 ? REG_1 : REG32_00 + word;
    }

    /** Expression name as the kernel knows it (NFTA_EXPR_NAME). */
    String name();

    /** payload load: {@code len} bytes at {@code offset} of a header into {@code dreg}. */
    record Payload(int base, int offset, int len, int dreg) implements NftExpr {
        public static final int LL_HEADER = 0;
        public static final int NETWORK_HEADER = 1;
        public static final int TRANSPORT_HEADER = 2;

        @Override
        public String name() {
            return "payload";
        }
    }

    /** meta load of {@code key} into {@code dreg}. */
    record Meta(int key, int dreg) implements NftExpr {
        public static final int MARK = 3;
        public static final int IIFNAME = 6;
        public static final int OIFNAME = 7;
        public static final int L4PROTO = 16;

        @Override
        public String name() {
            return "meta";
        }
    }

    /** meta set of {@code key} from {@code sreg}. */
    record MetaSet(int key, int sreg) implements NftExpr {
        @Override
        public String name() {
            return "meta";
        }
    }

    /** ct load of {@code key} into {@code dreg}; {@code direction} -1 when none. */
    record Ct(int key, int dreg, int direction) implements NftExpr {
        public static final int STATE = 0;
        public static final int STATUS = 2;

        @Override
        public String name() {
            return "ct";
        }
    }

    /** cmp of register {@code sreg} against {@code data}. */
    record Cmp(int sreg, int op, Bytes data) implements NftExpr {
        public static final int EQ = 0;
        public static final int NEQ = 1;
        public static final int LT = 2;
        public static final int LTE = 3;
        public static final int GT = 4;
        public static final int GTE = 5;

        @Override
        public String name() {
            return "cmp";
        }
    }

    /** bitwise (boolean op): dreg = (sreg & mask) ^ xor, over {@code len} bytes. */
    record Bitwise(int sreg, int dreg, int len, Bytes mask, Bytes xor) implements NftExpr {
        @Override
        public String name() {
            return "bitwise";
        }
    }

    /**
     * lookup of the key in {@code sreg} in a set; {@code dreg} receives the map's data (0 for a
     * verdict map, -1 for a plain set); {@code flags} 1 = NFT_LOOKUP_F_INV.
     */
    record Lookup(SetRef set, int sreg, int dreg, int flags) implements NftExpr {
        public static final int NO_DREG = -1;
        public static final int F_INV = 1;

        @Override
        public String name() {
            return "lookup";
        }
    }

    /** immediate: a verdict into register 0, or data into {@code dreg}. Exactly one of them is set. */
    record Immediate(int dreg, NftVerdict verdict, Bytes data) implements NftExpr {
        public static Immediate verdict(NftVerdict v) {
            return new Immediate(REG_VERDICT, v, null);
        }

        @Override
        public String name() {
            return "immediate";
        }
    }

    /** numgen: a number in [offset, offset + modulus) into {@code dreg}; type 0 incremental, 1 random. */
    record Numgen(int dreg, int modulus, int type, int offset) implements NftExpr {
        public static final int RANDOM = 1;

        @Override
        public String name() {
            return "numgen";
        }
    }

    /**
     * nat: {@code type} 0 snat / 1 dnat, address (and port) from registers; a register of 0 means
     * not given. {@code flags} are NF_NAT_RANGE_* bits.
     */
    record Nat(int type, int family, int regAddrMin, int regAddrMax, int regProtoMin, int regProtoMax, int flags)
            implements NftExpr {
        public static final int SNAT = 0;
        public static final int DNAT = 1;
        public static final int F_PROTO_SPECIFIED = 0x02;

        @Override
        public String name() {
            return "nat";
        }
    }

    /** masquerade, with NF_NAT_RANGE_* flags (0x10 = fully-random). */
    record Masq(int flags) implements NftExpr {
        public static final int FULLY_RANDOM = 0x10;

        @Override
        public String name() {
            return "masq";
        }
    }

    /** reject: type 0 ICMP unreachable, 1 TCP reset, 2 ICMPx; with the ICMP code. */
    record Reject(int type, int code) implements NftExpr {
        @Override
        public String name() {
            return "reject";
        }
    }

    /** fib: {@code result} (e.g. 3 = address type) of a lookup keyed by {@code flags} (saddr, daddr, ...). */
    record Fib(int dreg, int result, int flags) implements NftExpr {
        public static final int RESULT_ADDRTYPE = 3;
        public static final int F_SADDR = 1;
        public static final int F_DADDR = 2;

        @Override
        public String name() {
            return "fib";
        }
    }

    /** dynset: adds/updates the key in {@code sregKey} in a named set ("update @set { ip saddr }"). */
    record Dynset(int op, int sregKey, String set, long timeoutMillis) implements NftExpr {
        public static final int ADD = 0;
        public static final int UPDATE = 1;

        @Override
        public String name() {
            return "dynset";
        }
    }

    /**
     * Anything else the kernel returned (a foreign rule's expression, or one of ours someone
     * changed): kept as its name and raw attributes, so it never compares equal to a planned one.
     */
    record Other(String name, Bytes attributes) implements NftExpr {
    }

    /** The set a lookup reads: a named one of the table, or an anonymous one owned by the rule. */
    sealed interface SetRef {
    }

    record Named(String name) implements SetRef {
    }

    /**
     * An anonymous constant set or map, compared by content: key type, data type and elements. Its
     * name ("__mapN", chosen per batch), flags and size are how it was sent, not what it means, and
     * differ between a plan and a kernel dump of the same rule.
     */
    record Anonymous(NftSet set) implements SetRef {
        @Override
        public boolean equals(Object o) {
            return o instanceof Anonymous a && set.keyType().equals(a.set.keyType())
                    && java.util.Objects.equals(set.dataType(), a.set.dataType())
                    && set.elements().equals(a.set.elements());
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(set.keyType(), set.dataType(), set.elements());
        }
    }
}
