package io.svcproxy.diff.nftables;

import io.svcproxy.nftables.Bytes;
import io.svcproxy.nftables.NftChain;
import io.svcproxy.nftables.NftElement;
import io.svcproxy.nftables.NftFamily;
import io.svcproxy.nftables.NftOp;
import io.svcproxy.nftables.NftReferences;
import io.svcproxy.nftables.NftRule;
import io.svcproxy.nftables.NftScope;
import io.svcproxy.nftables.NftSet;
import io.svcproxy.nftables.NftTable;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The minimal batch that turns one of our tables as it is ({@code actual}, null if the kernel has
 * none) into the planned one. Pure. What it costs is what changed: a chain whose rules differ is
 * flushed and its rules re-added (nothing else of the table is touched); named sets and maps change
 * element by element; a set is re-created only when its declaration changes, after the chains that
 * use it are flushed. Chains no longer planned are flushed first and deleted by a later diff, once
 * they are empty and nothing jumps to them any more (deleting a chain in the batch that drops the
 * last jump to it is refused by kernels before 6.2). Elements of dynamic sets (affinity) are the
 * packet path's state: never compared, never deleted. A regular chain's comment, like the table's,
 * cannot be changed in place and is not compared.
 *
 * <p>Batch order, so every op finds what it needs: table, new chains, new sets, flushes, element
 * deletions, set deletions, re-declared sets, rules, element additions, deletion of stale chains.
 */
public final class NftDiff {
    /** Elements per add/delete message: keeps each netlink message well under the kernel's limits. */
    static final int ELEMENTS_PER_OP = 512;

    private NftDiff() {
    }

    public static NftChanges diff(NftTable actual, NftTable desired) {
        return diff(actual, desired, null);
    }

    /** The diff restricted to {@code scope} (null: the whole table). */
    public static NftChanges diff(NftTable actual, NftTable desired, NftScope scope) {
        Objects.requireNonNull(desired, "desired");
        if (actual != null && (actual.family() != desired.family() || !actual.name().equals(desired.name()))) {
            throw new IllegalArgumentException("diff of two different tables: " + actual.name() + " / " + desired.name());
        }
        NftTable have = actual != null ? actual
                : NftTable.empty(desired.family(), desired.name(), desired.comment());
        return new Builder(have, desired, actual == null, actual == null ? null : scope).build();
    }

    /** One diff's working state: the ops of each phase, filled in by the comparisons, then joined. */
    private static final class Builder {
        private final NftTable have;
        private final NftTable want;
        private final boolean newTable;
        private final NftFamily family;
        private final String table;

        private final List<NftOp> retireBaseChains = new ArrayList<>();
        private final List<NftOp> addChains = new ArrayList<>();
        private final List<NftOp> addSets = new ArrayList<>();
        private final List<NftOp> flushes = new ArrayList<>();
        private final List<NftOp> deleteElements = new ArrayList<>();
        private final List<NftOp> deleteSets = new ArrayList<>();
        private final List<NftOp> redeclareSets = new ArrayList<>();
        private final List<NftOp> addRules = new ArrayList<>();
        private final List<NftOp> addElements = new ArrayList<>();
        private final List<NftOp> deleteChains = new ArrayList<>();
        private final List<String> lingering = new ArrayList<>();
        private int chainsRewritten;
        private int chainsFlushedStale;
        private int elementsAdded;
        private int rulesDeleted;
        private int elementsDeleted;

        private final NftScope scope;

        Builder(NftTable have, NftTable want, boolean newTable, NftScope scope) {
            this.scope = scope;
            this.have = have;
            this.want = want;
            this.newTable = newTable;
            this.family = want.family();
            this.table = want.name();
        }

        NftChanges build() {
            Set<String> rewrite = new LinkedHashSet<>();
            if (scope == null) {
                compareSets(rewrite);
                compareChains(rewrite);
            } else {
                compareScopedSets(rewrite);
                compareScopedChains(rewrite);
            }
            List<NftOp> ops = new ArrayList<>();
            if (newTable) {
                ops.add(new NftOp.AddTable(family, table, want.comment()));
            }
            ops.addAll(retireBaseChains);
            ops.addAll(addChains);
            ops.addAll(addSets);
            ops.addAll(flushes);
            ops.addAll(deleteElements);
            ops.addAll(deleteSets);
            ops.addAll(redeclareSets);
            ops.addAll(addRules);
            ops.addAll(addElements);
            ops.addAll(deleteChains);
            return new NftChanges(ops, new NftChanges.Counts(addChains.size(), chainsRewritten, chainsFlushedStale,
                    deleteChains.size(), addRules.size(), rulesDeleted, addSets.size() + redeclareSets.size(), deleteSets.size(),
                    elementsAdded, elementsDeleted), after(), lingering);
        }

        /** The desired table, plus the stale chains this batch flushes or keeps (empty, deleted later). */
        private NftTable after() {
            if (lingering.isEmpty()) {
                return want;
            }
            Map<String, NftChain> chains = new LinkedHashMap<>(want.chains());
            for (String name : lingering) {
                chains.put(name, have.chains().get(name).withRules(List.of()));
            }
            return new NftTable(want.family(), want.name(), want.comment(), chains, want.sets());
        }

        /** Sets: new ones declared, gone ones deleted, re-declared ones re-created, elements diffed. */
        private void compareSets(Set<String> rewrite) {
            for (NftSet set : want.sets().values()) {
                compareSet(have.sets().get(set.name()), set, rewrite);
            }
            for (NftSet old : have.sets().values()) {
                if (!want.sets().containsKey(old.name())) {
                    compareSet(old, null, rewrite);
                }
            }
        }

        /** One set of the table as it is ({@code old}) and as planned ({@code set}); either may be null. */
        private void compareSet(NftSet old, NftSet set, Set<String> rewrite) {
            if (set == null) {
                if (old != null) {
                    rewrite.addAll(chainsUsing(old.name()));
                    deleteSets.add(new NftOp.DeleteSet(family, table, old.name()));
                }
            } else if (old == null) {
                addSets.add(new NftOp.AddSet(family, table, set));
                addElements(set, set.isDynamic() ? List.of() : set.elements());
            } else if (!old.sameDeclaration(set)) {
                rewrite.addAll(chainsUsing(set.name()));
                deleteSets.add(new NftOp.DeleteSet(family, table, set.name()));
                redeclareSets.add(new NftOp.AddSet(family, table, set));
                addElements(set, set.isDynamic() ? List.of() : set.elements());
            } else if (!set.isDynamic() && old.elements() != set.elements()) {
                compareElements(old, set);
            }
        }

        /** The scope's sets whole, and only the scope's keys of the shared ones. */
        private void compareScopedSets(Set<String> rewrite) {
            for (String name : scope.sets()) {
                compareSet(have.sets().get(name), want.sets().get(name), rewrite);
            }
            for (Map.Entry<String, Set<Bytes>> e : scope.keys().entrySet()) {
                NftSet old = have.sets().get(e.getKey());
                NftSet set = want.sets().get(e.getKey());
                if (old == null || set == null || !old.sameDeclaration(set)) {
                    compareSet(old, set, rewrite);
                    continue;
                }
                if (set.isDynamic() || old.elements() == set.elements()) {
                    continue;
                }
                List<NftElement> add = new ArrayList<>();
                List<NftElement> delete = new ArrayList<>();
                for (Bytes key : new java.util.TreeSet<>(e.getValue())) {
                    NftElement was = old.element(key);
                    NftElement now = set.element(key);
                    if (was != null && !was.equals(now)) {
                        delete.add(was);
                    }
                    if (now != null && !now.equals(was)) {
                        add.add(now);
                    }
                }
                deleteElements(set, delete);
                addElements(set, add);
            }
        }

        /** Keys only in the old set are deleted; new keys added; a key whose data changed is both. */
        private void compareElements(NftSet old, NftSet set) {
            Map<Bytes, NftElement> before = new LinkedHashMap<>();
            old.elements().forEach(e -> before.put(e.key(), e));
            List<NftElement> add = new ArrayList<>();
            List<NftElement> delete = new ArrayList<>();
            for (NftElement el : set.elements()) {
                NftElement was = before.remove(el.key());
                if (was == null) {
                    add.add(el);
                } else if (!was.equals(el)) {
                    delete.add(was);
                    add.add(el);
                }
            }
            delete.addAll(before.values());
            delete.sort(java.util.Comparator.comparing(NftElement::key));
            deleteElements(set, delete);
            addElements(set, add);
        }

        private void deleteElements(NftSet set, List<NftElement> elements) {
            for (List<NftElement> chunk : chunks(elements)) {
                deleteElements.add(new NftOp.DeleteElements(family, table, set.name(), chunk));
            }
            elementsDeleted += elements.size();
        }

        private void addElements(NftSet set, List<NftElement> elements) {
            for (List<NftElement> chunk : chunks(elements)) {
                addElements.add(new NftOp.AddElements(family, table, set.name(), chunk));
            }
            elementsAdded += elements.size();
        }

        /** Chains: new ones declared with their rules, changed ones rewritten, stale ones retired. */
        private void compareChains(Set<String> rewrite) {
            for (NftChain chain : want.chains().values()) {
                compareChain(have.chains().get(chain.name()), chain, rewrite);
            }
            retireStaleChains(have.chains().values());
        }

        /**
         * The scope's chains: planned ones compared, stale ones retired. A stale chain of the scope
         * was jumped to only by its own service's objects, which this batch (or the one that made
         * it stale) rewrote: an empty one is deleted without scanning the table for jumps.
         */
        private void compareScopedChains(Set<String> rewrite) {
            List<NftChain> stale = new ArrayList<>();
            Set<String> names = new LinkedHashSet<>(scope.chains());
            names.addAll(rewrite);
            for (String name : names) {
                NftChain chain = want.chains().get(name);
                NftChain old = have.chains().get(name);
                if (chain != null) {
                    compareChain(old, chain, rewrite);
                } else if (old != null) {
                    stale.add(old);
                }
            }
            for (NftChain old : stale) {
                if (!old.rules().isEmpty()) {
                    flushes.add(new NftOp.FlushChain(family, table, old.name()));
                    chainsFlushedStale++;
                    rulesDeleted += old.rules().size();
                    lingering.add(old.name());
                } else {
                    deleteChains.add(new NftOp.DeleteChain(family, table, old.name()));
                }
            }
        }

        private void compareChain(NftChain old, NftChain chain, Set<String> rewrite) {
            {
                if (old == null) {
                    addChains.add(new NftOp.AddChain(family, table, chain));
                    addRules(chain);
                } else if (!Objects.equals(old.base(), chain.base())) {
                    // A hook, priority or type cannot change in place: re-create the chain (nothing
                    // jumps to a base chain, and a regular chain does not become a base one in our plans).
                    if (!old.rules().isEmpty()) {
                        retireBaseChains.add(new NftOp.FlushChain(family, table, chain.name()));
                        rulesDeleted += old.rules().size();
                    }
                    retireBaseChains.add(new NftOp.DeleteChain(family, table, chain.name()));
                    addChains.add(new NftOp.AddChain(family, table, chain));
                    addRules(chain);
                } else if (rewrite.contains(chain.name()) || (old != chain && !old.rules().equals(chain.rules()))) {
                    if (!old.rules().isEmpty()) {
                        flushes.add(new NftOp.FlushChain(family, table, chain.name()));
                        rulesDeleted += old.rules().size();
                    }
                    chainsRewritten++;
                    addRules(chain);
                }
            }
        }

        /** Chains of {@code current} no longer planned: flushed, or deleted once empty and not jumped to. */
        private void retireStaleChains(java.util.Collection<NftChain> current) {
            if (have.chains().size() == want.chains().size() && want.chains().keySet().containsAll(have.chains().keySet())) {
                return;
            }
            Set<String> stillJumpedTo = null;
            for (NftChain old : current) {
                if (want.chains().containsKey(old.name())) {
                    continue;
                }
                if (!old.rules().isEmpty()) {
                    flushes.add(new NftOp.FlushChain(family, table, old.name()));
                    chainsFlushedStale++;
                    rulesDeleted += old.rules().size();
                    lingering.add(old.name());
                    continue;
                }
                if (stillJumpedTo == null) {
                    // Only a stale empty chain needs it: the scan reads every rule and map of the table.
                    stillJumpedTo = NftReferences.referencedChains(have);
                }
                if (stillJumpedTo.contains(old.name())) {
                    lingering.add(old.name());
                } else {
                    deleteChains.add(new NftOp.DeleteChain(family, table, old.name()));
                }
            }
        }

        private void addRules(NftChain chain) {
            for (NftRule rule : chain.rules()) {
                addRules.add(new NftOp.AddRule(family, table, chain.name(), rule));
            }
        }

        /** Chains of the current table with a rule that uses the named set. */
        private List<String> chainsUsing(String set) {
            List<String> out = new ArrayList<>();
            java.util.Collection<NftChain> where = have.chains().values();
            if (scope != null) {
                // A service's own sets are used only by its own chains, all in the scope.
                where = scope.chains().stream().map(have.chains()::get).filter(Objects::nonNull).toList();
            }
            for (NftChain chain : where) {
                if (NftReferences.referencedSets(chain).contains(set)) {
                    out.add(chain.name());
                }
            }
            return out;
        }
    }

    private static List<List<NftElement>> chunks(List<NftElement> elements) {
        List<List<NftElement>> out = new ArrayList<>();
        for (int i = 0; i < elements.size(); i += ELEMENTS_PER_OP) {
            out.add(elements.subList(i, Math.min(elements.size(), i + ELEMENTS_PER_OP)));
        }
        return out;
    }
}
