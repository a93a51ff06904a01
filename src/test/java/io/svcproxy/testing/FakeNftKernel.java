package io.svcproxy.testing;

import io.svcproxy.nftables.NftFamily;
import io.svcproxy.nftables.NftKernel;
import io.svcproxy.nftables.NftOp;
import io.svcproxy.nftables.NftSimulator;
import io.svcproxy.nftables.NftTable;
import io.svcproxy.nftables.NftTableKey;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An nf_tables kernel held as values: batches are applied by {@link NftSimulator} (the kernel's
 * refusal rules, all or nothing), reads return the tables. Counts reads and keeps every batch, so
 * tests can say how often the kernel was dumped and what was sent; {@link #refuseNext} makes the
 * next batch fail as the kernel would, with nothing applied.
 */
public final class FakeNftKernel implements NftKernel {
    private Map<NftTableKey, NftTable> tables = new LinkedHashMap<>();
    private final List<List<NftOp>> batches = new ArrayList<>();
    private int reads;
    private int refuse;
    /** Bumped by every committed batch and by every change made behind the syncer's back, as the kernel's. */
    private long generation = 1;

    @Override
    public synchronized Optional<NftTable> read(NftFamily family, String table) {
        reads++;
        return Optional.ofNullable(tables.get(new NftTableKey(family, table)));
    }

    @Override
    public synchronized long apply(List<NftOp> ops) {
        if (refuse > 0) {
            refuse--;
            throw new io.svcproxy.nftables.NftApplyException("refused (test)", ops.isEmpty() ? null : ops.get(0), 22);
        }
        tables = NftSimulator.apply(tables, ops);
        generation++;
        batches.add(List.copyOf(ops));
        return 100L * ops.size();
    }

    /** Someone else changed the kernel (drift), bypassing any batch accounting. */
    public synchronized void put(NftTable table) {
        tables.put(NftTableKey.of(table), table);
        generation++;
    }

    public synchronized void remove(NftFamily family, String table) {
        tables.remove(new NftTableKey(family, table));
        generation++;
    }

    /** Another program committed a batch that left our tables as they were (a CNI's own table). */
    public synchronized void foreignCommit() {
        generation++;
    }

    @Override
    public synchronized java.util.OptionalLong generation() {
        return java.util.OptionalLong.of(generation);
    }

    public synchronized Optional<NftTable> table(NftFamily family, String table) {
        return Optional.ofNullable(tables.get(new NftTableKey(family, table)));
    }

    public synchronized void refuseNext(int batches) {
        refuse = batches;
    }

    public synchronized int reads() {
        return reads;
    }

    public synchronized List<List<NftOp>> batches() {
        return List.copyOf(batches);
    }

    @Override
    public void close() {
    }
}
