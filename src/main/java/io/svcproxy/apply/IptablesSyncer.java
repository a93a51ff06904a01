package io.svcproxy.apply;

import io.svcproxy.dataplane.FamilyResult;
import io.svcproxy.diff.BatchPlanner;
import io.svcproxy.diff.BatchPolicy;
import io.svcproxy.diff.ChangeCounts;
import io.svcproxy.diff.ChangeSet;
import io.svcproxy.diff.PlanDelta;
import io.svcproxy.diff.RulesetDiff;
import io.svcproxy.iptables.Ruleset;
import io.svcproxy.model.IpFamily;
import io.svcproxy.plan.IptablesPlan;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Keeps one family's iptables state equal to the plan with minimal writes. It remembers what it last
 * wrote, so a partial sync needs no iptables-save; a full sync reads the kernel, which is also how
 * drift (someone else changing our chains) is found and repaired. A failed write forgets the
 * remembered state, so the next sync reads the kernel again. A large sync is staged in bounded
 * batches first ({@link BatchPlanner}).
 */
public final class IptablesSyncer {
    private final IpFamily family;
    private final IptablesRestorer restorer;
    private final NfacctCounters nfacct;
    private final BatchPolicy batchPolicy;
    private Ruleset known;
    private IptablesPlan lastPlan;

    /** What one sync did. */
    public record Result(IpFamily family, boolean full, int writes, long payloadBytes, int driftRepaired,
                         int rulesAdded, int rulesDeleted) {
        public boolean changed() {
            return writes > 0;
        }

        /** This result in every mode's words, with the rules {@code plan} owns per table. */
        public FamilyResult reported(IptablesPlan plan) {
            Map<String, Integer> rulesPerTable = new TreeMap<>();
            plan.desired().tables().forEach((name, table) -> rulesPerTable.put(name, table.ruleCount()));
            return new FamilyResult(family, full, writes, payloadBytes, driftRepaired, rulesAdded, rulesDeleted,
                    rulesPerTable);
        }
    }

    public IptablesSyncer(IpFamily family, IptablesRestorer restorer, NfacctCounters nfacct, BatchPolicy batchPolicy) {
        this.family = family;
        this.restorer = restorer;
        this.nfacct = nfacct;
        this.batchPolicy = batchPolicy;
    }

    /** At most {@code servicesPerBatch} services per staging batch. */
    public IptablesSyncer(IpFamily family, IptablesRestorer restorer, NfacctCounters nfacct, int servicesPerBatch) {
        this(family, restorer, nfacct, BatchPolicy.services(servicesPerBatch));
    }

    public IpFamily family() {
        return family;
    }

    /** Does our {@code chain} of {@code table} exist in the kernel (a canary check, between syncs)? */
    public boolean chainExists(String table, String chain) {
        return restorer.chainExists(family, table, chain);
    }

    /** Brings the kernel to {@code plan}; {@code full} reads the kernel instead of trusting memory. */
    public Result sync(IptablesPlan plan, boolean full) {
        boolean readKernel = full || known == null;
        Ruleset actual = readKernel ? restorer.save(family) : known;
        int drift = readKernel && lastPlan != null ? size(RulesetDiff.diff(actual, lastPlan).counts()) : 0;
        if (readKernel) {
            nfacct.ensure(plan.nfacctCounters());
        }
        Ruleset state = actual;
        Writes w = new Writes();
        try {
            // A partial sync after a plan derived from the last one: the remembered state holds the last
            // plan's chains, so only the chains the two plans do not share are diffed, in one write
            // (unless the change is large enough to need staging).
            Optional<PlanDelta> delta = readKernel || lastPlan == null ? Optional.empty() : PlanDelta.between(lastPlan, plan);
            if (delta.isPresent() && fitsOneWrite(delta.get(), actual, plan)) {
                state = w.write(state, plan, delta.get());
            } else {
                BatchPlanner.Staging staging = BatchPlanner.staging(actual, plan, batchPolicy);
                if (!staging.isEmpty()) {
                    state = w.write(state, staging.base());
                    for (ChangeSet batch : staging.batches()) {
                        w.write(batch);
                    }
                    state = staging.withStagedChains(state);
                }
                state = w.write(state, plan);
            }
        } catch (RestoreException e) {
            known = null;
            throw e.family() == null ? e.in(family, !readKernel) : e;
        } catch (RuntimeException e) {
            known = null;
            throw e;
        }
        known = state;
        lastPlan = plan;
        return new Result(family, readKernel, w.writes, w.bytes, drift, w.added, w.deleted);
    }

    /** The restores of one sync, counted. */
    private final class Writes {
        int writes;
        long bytes;
        int added;
        int deleted;

        /** Writes what turns {@code state} into {@code stage}; returns the node's state after it. */
        Ruleset write(Ruleset state, IptablesPlan stage) {
            return written(state, RulesetDiff.diff(state, stage));
        }

        /** The same for a stage derived from the last plan: only the chains {@code delta} names are diffed. */
        Ruleset write(Ruleset state, IptablesPlan stage, PlanDelta delta) {
            return written(state, RulesetDiff.diff(state, stage, delta));
        }

        /** Nothing to write still applies: equal chains in the state become the plan's objects (identity skips). */
        private Ruleset written(Ruleset state, ChangeSet changes) {
            if (!changes.isEmpty()) {
                write(changes);
            }
            return RulesetDiff.apply(state, changes);
        }

        void write(ChangeSet changes) {
            bytes += restorer.restore(family, changes);
            writes++;
            added += changes.counts().rulesAdded();
            deleted += changes.counts().rulesDeleted();
        }
    }

    /** A derived plan goes in one write when its changed chains are within one staging batch's budget. */
    private boolean fitsOneWrite(PlanDelta delta, Ruleset actual, IptablesPlan plan) {
        long chains = 0;
        for (String table : plan.desired().tables().keySet()) {
            chains += delta.chains(table).size();
        }
        return chains <= batchPolicy.maxChains() && delta.newServicesAtMost(actual, plan) <= batchPolicy.maxServices();
    }

    /** Forgets what was written, so the next sync reads the kernel (after a failure elsewhere). */
    public void invalidate() {
        known = null;
    }

    private static int size(ChangeCounts c) {
        return c.chainsCreated() + c.chainsRewritten() + c.chainsDeleted() + c.rulesAdded() + c.rulesDeleted();
    }
}
