package io.svcproxy.diff.nftables;

import io.svcproxy.nftables.Bytes;
import io.svcproxy.nftables.NftChain;
import io.svcproxy.nftables.NftElement;
import io.svcproxy.nftables.NftFamily;
import io.svcproxy.nftables.NftOp;
import io.svcproxy.nftables.NftReferences;
import io.svcproxy.nftables.NftRule;
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
        Objects.requireNonNull(desired, "desired");
        if (actual != null && (actual.family() != desired.family() || !actual.name().equals(desired.name()))) {
            throw new IllegalArgumentException("diff of two different tables: " + actual.name() + " / " + desired.name());
        }
        NftTable have = actual != null ? actual
                : NftTable.empty(desired.family(), desired.name(), desired.comment());
        return new Builder(have, desired, actual == null).build();
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

        Builder(NftTable have, NftTable want, boolean newTable) {
            this.have = have;
            this.want = want;
            this.newTable = newTable;
            this.family = want.family();
            this.table = want.name();
        }

        NftChanges build() {
            Set<String> rewrite = new LinkedHashSet<>();
            compareSets(rewrite);
            compareChains(rewrite);
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
                    elementsAdded, elementsDeleted), after());
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
                NftSet old = have.sets().get(set.name());
                if (old == null) {
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
            for (NftSet old : have.sets().values()) {
                if (!want.sets().containsKey(old.name())) {
                    rewrite.addAll(chainsUsing(old.name()));
                    deleteSets.add(new NftOp.DeleteSet(family, table, old.name()));
                }
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
            for (List<NftElement> chunk : chunks(delete)) {
                deleteElements.add(new NftOp.DeleteElements(family, table, set.name(), chunk));
            }
            elementsDeleted += delete.size();
            addElements(set, add);
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
                NftChain old = have.chains().get(chain.name());
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
            if (have.chains().size() == want.chains().size() && want.chains().keySet().containsAll(have.chains().keySet())) {
                return;
            }
            Set<String> stillJumpedTo = null;
            for (NftChain old : have.chains().values()) {
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
            for (NftChain chain : have.chains().values()) {
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
