package io.svcproxy.netlink.nftables;

import io.svcproxy.netlink.Netlink;
import io.svcproxy.netlink.NetlinkConstants;
import io.svcproxy.netlink.NetlinkException;
import io.svcproxy.netlink.NetlinkMessage;
import io.svcproxy.netlink.NetlinkParseException;
import io.svcproxy.netlink.NetlinkSocket;
import io.svcproxy.nftables.NftApplyException;
import io.svcproxy.nftables.NftFamily;
import io.svcproxy.nftables.NftKernel;
import io.svcproxy.nftables.NftOp;
import io.svcproxy.nftables.NftTable;

import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.svcproxy.netlink.nftables.NftConstants.*;

/**
 * {@link NftKernel} over a NETLINK_NETFILTER socket in the network namespace of the thread that
 * opened it. A read is one GETTABLE and dumps of that table's chains, sets and rules and of each
 * set's elements; an apply is one nfnetlink batch, every message acknowledged, the first refused
 * one named in the {@link NftApplyException}. Not thread-safe: one syncer owns it.
 */
public final class NetlinkNftKernel implements NftKernel {
    private final NetlinkSocket socket;
    /**
     * The element replies of the anonymous constant sets (a DNAT rule's numgen map) read before,
     * by table and set handle: the kernel never changes a constant set's elements, and a handle is
     * never reused within a table, so a later read reuses them instead of one element dump per
     * rule. A full resync of 10,000 services then dumps only the sets created since the last read.
     */
    private final Map<ConstantSetKey, List<NetlinkMessage>> constantSets = new HashMap<>();

    private record ConstantSetKey(NftFamily family, long table, long set) {
    }

    private NetlinkNftKernel(NetlinkSocket socket) {
        this.socket = socket;
    }

    /** A kernel client in the calling thread's network namespace. */
    public static NetlinkNftKernel open() {
        return new NetlinkNftKernel(Netlink.open(NetlinkConstants.NETLINK_NETFILTER));
    }

    /** Over an already open NETLINK_NETFILTER socket (e.g. one opened inside a test namespace). */
    public static NetlinkNftKernel over(NetlinkSocket socket) {
        return new NetlinkNftKernel(socket);
    }

    /** How often a read is repeated when a batch committed while it dumped. */
    static final int READ_ATTEMPTS = 5;

    /**
     * Several dumps make one read; each is consistent on its own, but a batch committed between
     * two of them would mix two rulesets. The ruleset generation before and after tells: the read
     * is repeated until it did not change.
     */
    @Override
    public Optional<NftTable> read(NftFamily family, String table) {
        for (int attempt = 1; ; attempt++) {
            long before = currentGeneration();
            NftDump dump = dump(family, table);
            if (currentGeneration() == before) {
                if (dump == null) {
                    return Optional.empty();
                }
                return Optional.of(NftTableDecoder.table(family, table, dump.table(), dump.chains(), dump.sets(),
                        dump.rules(), dump.elements()));
            }
            if (attempt >= READ_ATTEMPTS) {
                throw new NetlinkException("read " + family.keyword() + " " + table + ": the ruleset changed during "
                        + READ_ATTEMPTS + " reads in a row", NetlinkConstants.EBUSY);
            }
        }
    }

    @Override
    public java.util.OptionalLong generation() {
        return java.util.OptionalLong.of(currentGeneration());
    }

    private long currentGeneration() {
        List<NetlinkMessage> replies = socket.request(NftDumpRequests.getGeneration(ByteOrder.nativeOrder()),
                "get nf_tables generation");
        if (replies.isEmpty()) {
            throw new NetlinkParseException("get nf_tables generation: no reply");
        }
        return replies.get(0).attributes(NetlinkConstants.NFGENMSG_LEN).require(NFTA_GEN_ID, "NFTA_GEN_ID")
                .u32BigEndian();
    }

    /** The kernel's replies for one table, as {@link NftTableDecoder} takes them; null if no such table. */
    record NftDump(NetlinkMessage table, List<NetlinkMessage> chains, List<NetlinkMessage> sets,
                   List<NetlinkMessage> rules, Map<String, List<NetlinkMessage>> elements) {
    }

    NftDump dump(NftFamily family, String table) {
        ByteOrder order = ByteOrder.nativeOrder();
        List<NetlinkMessage> tables;
        try {
            tables = socket.request(NftDumpRequests.getTable(family, table, order), "get table " + family.keyword()
                    + " " + table);
        } catch (NetlinkException e) {
            if (e.errno() == NetlinkConstants.ENOENT) {
                return null;
            }
            throw e;
        }
        if (tables.isEmpty()) {
            throw new NetlinkParseException("get table " + table + ": no reply");
        }
        String what = family.keyword() + " " + table;
        List<NetlinkMessage> chains = socket.dump(NftDumpRequests.dump(NFT_MSG_GETCHAIN, NFTA_CHAIN_TABLE, family,
                table, order), "dump chains of " + what);
        List<NetlinkMessage> sets = socket.dump(NftDumpRequests.dump(NFT_MSG_GETSET, NFTA_SET_TABLE, family, table,
                order), "dump sets of " + what);
        List<NetlinkMessage> rules = socket.dump(NftDumpRequests.dump(NFT_MSG_GETRULE, NFTA_RULE_TABLE, family, table,
                order), "dump rules of " + what);
        Map<String, List<NetlinkMessage>> elements = new LinkedHashMap<>();
        long tableHandle = handle(tables.get(0), NFTA_TABLE_HANDLE);
        Map<ConstantSetKey, List<NetlinkMessage>> seen = new HashMap<>();
        for (NetlinkMessage s : sets) {
            if (!table.equals(NftTableDecoder.tableOf(s, NFTA_SET_TABLE))) {
                continue;
            }
            io.svcproxy.nftables.NftSet decl = NftTableDecoder.set(s);
            String set = decl.name();
            ConstantSetKey key = constantKey(family, tableHandle, decl, s);
            List<NetlinkMessage> els = key == null ? null : constantSets.get(key);
            if (els == null) {
                els = socket.dump(NftDumpRequests.getElements(family, table, set, order),
                        "dump elements of set " + what + " " + set);
            }
            if (key != null) {
                seen.put(key, els);
            }
            elements.put(set, els);
        }
        // Only the constant sets this read saw stay remembered: memory follows the table.
        constantSets.keySet().removeIf(k -> k.family() == family && k.table() == tableHandle);
        constantSets.putAll(seen);
        return new NftDump(tables.get(0), chains, sets, rules, elements);
    }

    /**
     * One chain with its rules (anonymous sets resolved), or empty if the kernel has no such chain
     * or table: a handful of requests, whatever the table's size (for tools and benchmarks that poll
     * one service; the syncer reads whole tables).
     */
    public Optional<io.svcproxy.nftables.NftChain> readChain(NftFamily family, String table, String chain) {
        ByteOrder order = ByteOrder.nativeOrder();
        String what = family.keyword() + " " + table + " " + chain;
        List<NetlinkMessage> tables;
        List<NetlinkMessage> chains;
        try {
            tables = socket.request(NftDumpRequests.getTable(family, table, order), "get table of " + what);
            chains = socket.request(NftDumpRequests.getChain(family, table, chain, order), "get chain " + what);
        } catch (NetlinkException e) {
            if (e.errno() == NetlinkConstants.ENOENT) {
                return Optional.empty();
            }
            throw e;
        }
        if (tables.isEmpty() || chains.isEmpty()) {
            return Optional.empty();
        }
        List<NetlinkMessage> rules = socket.dump(NftDumpRequests.dumpRulesOf(family, table, chain, order),
                "dump rules of " + what);
        java.util.Set<String> setNames = new java.util.LinkedHashSet<>();
        for (NetlinkMessage r : rules) {
            for (io.svcproxy.nftables.NftExpr e : NftTableDecoder.rule(r).rule().exprs()) {
                if (e instanceof io.svcproxy.nftables.NftExpr.Lookup l && l.set() instanceof io.svcproxy.nftables.NftExpr.Named n) {
                    setNames.add(n.name());
                }
            }
        }
        List<NetlinkMessage> sets = new java.util.ArrayList<>();
        Map<String, List<NetlinkMessage>> elements = new LinkedHashMap<>();
        for (String set : setNames) {
            sets.addAll(socket.request(NftDumpRequests.getSet(family, table, set, order), "get set " + set));
            elements.put(set, socket.dump(NftDumpRequests.getElements(family, table, set, order),
                    "dump elements of set " + set));
        }
        NftTable one = NftTableDecoder.table(family, table, tables.get(0), chains, sets, rules, elements);
        return Optional.ofNullable(one.chains().get(chain));
    }

    /** How many constant sets' elements are remembered (for tests). */
    int constantSetsRemembered() {
        return constantSets.size();
    }

    private static ConstantSetKey constantKey(NftFamily family, long tableHandle, io.svcproxy.nftables.NftSet decl,
                                              NetlinkMessage reply) {
        int constant = io.svcproxy.nftables.NftSet.F_ANONYMOUS | io.svcproxy.nftables.NftSet.F_CONSTANT;
        if ((decl.flags() & constant) != constant || tableHandle < 0) {
            return null;
        }
        long setHandle = handle(reply, NFTA_SET_HANDLE);
        return setHandle < 0 ? null : new ConstantSetKey(family, tableHandle, setHandle);
    }

    /** A u64 handle attribute of a reply, or -1 when the kernel sent none. */
    private static long handle(NetlinkMessage m, int attr) {
        return m.attributes(NetlinkConstants.NFGENMSG_LEN).get(attr).map(a -> a.u64BigEndian()).orElse(-1L);
    }

    @Override
    public long apply(List<NftOp> ops) {
        if (ops.isEmpty()) {
            return 0;
        }
        NftBatchEncoder.Batch batch;
        try {
            batch = NftBatchEncoder.encode(ops, true, ByteOrder.nativeOrder());
        } catch (IllegalArgumentException e) {
            throw new NftApplyException("cannot encode nf_tables batch: " + e.getMessage(), null, 0, e);
        }
        int[] answers;
        try {
            answers = socket.batch(batch.messages());
        } catch (NetlinkException e) {
            // A send that failed applied nothing; a failure while reading the answers leaves the
            // outcome unknown (the kernel may have committed): the caller reads the table again.
            throw new NftApplyException("nf_tables batch of " + ops.size() + " ops: " + e.getMessage()
                    + " (outcome unknown if the batch was sent: read the table again)", null, e.errno(), e);
        }
        NftApplyException failure = NftBatchErrors.firstRefusal(ops, batch, answers);
        if (failure != null) {
            throw failure;
        }
        return socket.lastBatchBytes();
    }

    /** One GETTABLE: the cheap check between syncs that our table was not deleted behind our back. */
    @Override
    public boolean exists(NftFamily family, String table) {
        try {
            return !socket.request(NftDumpRequests.getTable(family, table, ByteOrder.nativeOrder()),
                    "get table " + family.keyword() + " " + table).isEmpty();
        } catch (NetlinkException e) {
            if (e.errno() == NetlinkConstants.ENOENT) {
                return false;
            }
            throw e;
        }
    }

    @Override
    public void close() {
        socket.close();
    }

}
