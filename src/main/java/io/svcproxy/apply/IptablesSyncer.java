package io.svcproxy.apply;

import io.svcproxy.diff.BatchPlanner;
import io.svcproxy.diff.ChangeCounts;
import io.svcproxy.diff.ChangeSet;
import io.svcproxy.diff.PlanDelta;
import io.svcproxy.diff.RulesetDiff;
import io.svcproxy.iptables.Ruleset;
import io.svcproxy.model.IpFamily;
import io.svcproxy.plan.IptablesPlan;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;

/**
 * Keeps one family's iptables state equal to the plan with minimal writes. It remembers what it last
 * wrote, so a partial sync needs no iptables-save; a full sync reads the kernel, which is also how
 * drift (someone else changing our chains) is found and repaired. A failed write forgets the
 * remembered state, so the next sync reads the kernel again.
 */
public final class IptablesSyncer {
    private final IpFamily family;
    private final IptablesRestorer restorer;
    private final NfacctCounters nfacct;
    private final int servicesPerBatch;
    private Ruleset known;
    private IptablesPlan lastPlan;

    /** What one sync did. */
    public record Result(IpFamily family, boolean full, int writes, long payloadBytes, int driftRepaired,
                         int rulesAdded, int rulesDeleted) {
        public boolean changed() {
            return writes > 0;
        }
    }

    public IptablesSyncer(IpFamily family, IptablesRestorer restorer, NfacctCounters nfacct, int servicesPerBatch) {
        this.family = family;
        this.restorer = restorer;
        this.nfacct = nfacct;
        this.servicesPerBatch = servicesPerBatch;
    }

    public IpFamily family() {
        return family;
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
        int writes = 0;
        long bytes = 0;
        int added = 0;
        int deleted = 0;
        try {
            // A partial sync after a plan derived from the last one: the remembered state holds the last
            // plan's chains, so only the chains the two plans do not share are diffed (unless so many
            // services are new that the write must be batched).
            Optional<PlanDelta> delta = readKernel || lastPlan == null ? Optional.empty() : PlanDelta.between(lastPlan, plan);
            boolean small = delta.isPresent() && delta.get().newServicesAtMost(actual, plan) <= servicesPerBatch;
            for (IptablesPlan stage : small ? List.of(plan) : stages(actual, plan)) {
                ChangeSet changes = small ? RulesetDiff.diff(state, stage, delta.get()) : RulesetDiff.diff(state, stage);
                if (changes.isEmpty()) {
                    state = RulesetDiff.apply(state, changes);   // nothing to write; equal chains become the plan's
                    continue;
                }
                restorer.restore(family, changes);
                writes++;
                bytes += payloadBytes(changes);
                added += changes.counts().rulesAdded();
                deleted += changes.counts().rulesDeleted();
                state = RulesetDiff.apply(state, changes);
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
        return new Result(family, readKernel, writes, bytes, drift, added, deleted);
    }

    /** Forgets what was written, so the next sync reads the kernel (after a failure elsewhere). */
    public void invalidate() {
        known = null;
    }

    private List<IptablesPlan> stages(Ruleset actual, IptablesPlan plan) {
        return BatchPlanner.stages(actual, plan, servicesPerBatch);
    }

    private static int size(ChangeCounts c) {
        return c.chainsCreated() + c.chainsRewritten() + c.chainsDeleted() + c.rulesAdded() + c.rulesDeleted();
    }

    private static long payloadBytes(ChangeSet changes) {
        long[] n = {0};
        try {
            changes.writeTo(new Appendable() {
                @Override
                public Appendable append(CharSequence csq) {
                    n[0] += csq.length();
                    return this;
                }

                @Override
                public Appendable append(CharSequence csq, int start, int end) {
                    n[0] += end - start;
                    return this;
                }

                @Override
                public Appendable append(char c) {
                    n[0]++;
                    return this;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return n[0];
    }
}
