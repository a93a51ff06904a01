package io.svcproxy.diff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.svcproxy.iptables.Chain;
import io.svcproxy.iptables.Ownership;
import io.svcproxy.iptables.RestoreSimulator;
import io.svcproxy.iptables.RuleText;
import io.svcproxy.iptables.Ruleset;
import io.svcproxy.iptables.Table;
import io.svcproxy.model.IpFamily;
import io.svcproxy.plan.IptablesPlan;
import io.svcproxy.plan.IptablesPlanner;
import io.svcproxy.plan.PlannerOptions;
import io.svcproxy.testing.SyntheticCluster;
import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

class BatchPlannerTest {
    private static final PlannerOptions OPTS = PlannerOptions.defaults(IpFamily.V4, "n");
    private static final Ruleset EMPTY = Ruleset.empty(IpFamily.V4);

    private static IptablesPlan plan(int services, int endpoints) {
        return IptablesPlanner.plan(SyntheticCluster.of(services, endpoints, true), OPTS);
    }

    /** Applies every write of the staged sync through the strict simulator, checking each step. */
    private static List<String> applyStaged(Ruleset actual, IptablesPlan plan, BatchPolicy policy, Set<String> staged) {
        List<String> payloads = new ArrayList<>();
        BatchPlanner.Staging staging = BatchPlanner.staging(actual, plan, policy);
        Ruleset state = actual;
        ChangeSet base = RulesetDiff.diff(state, staging.base());
        payloads.add(base.payload());
        state = RestoreSimulator.apply(state, base.payload(), true);
        for (ChangeSet batch : staging.batches()) {
            // Strict: a jump to a chain that neither exists nor comes in the same payload is refused.
            state = RestoreSimulator.apply(state, batch.payload(), true);
            payloads.add(batch.payload());
            batch.payload().lines().filter(l -> l.startsWith(":"))
                    .forEach(l -> staged.add(l.substring(1, l.indexOf(' '))));
            Set<String> reachable = reachable(state.table("nat"));
            assertTrue(staged.stream().noneMatch(reachable::contains),
                    "a staged chain carries no traffic before the last write");
        }
        assertEquals(state, staging.withStagedChains(RestoreSimulator.apply(actual, base.payload(), true)),
                "the state the syncer continues from is what the batches wrote");
        ChangeSet last = RulesetDiff.diff(state, plan);
        payloads.add(last.payload());
        state = RestoreSimulator.apply(state, last.payload(), true);
        assertTrue(RulesetDiff.diff(state, plan).isEmpty(), "converged on the plan");
        return payloads;
    }

    /** Chains a packet can reach from the table's built-in chains. */
    private static Set<String> reachable(Table table) {
        Set<String> seen = new HashSet<>();
        Deque<String> todo = new ArrayDeque<>();
        table.chains().values().stream().filter(c -> Ownership.isBuiltin(c.name())).forEach(c -> todo.add(c.name()));
        while (!todo.isEmpty()) {
            Chain chain = table.chain(todo.poll());
            if (chain == null || !seen.add(chain.name())) {
                continue;
            }
            chain.rules().forEach(r -> RuleText.target(r).ifPresent(todo::add));
        }
        return seen;
    }

    @Test
    void aSyncThatFitsOneBatchIsNotStaged() {
        BatchPlanner.Staging staging = BatchPlanner.staging(EMPTY, plan(5, 2), BatchPolicy.chains(1000));
        assertTrue(staging.isEmpty());
        assertNull(staging.base());
        assertFalse(staging.batches().iterator().hasNext());
        assertEquals(EMPTY, staging.withStagedChains(EMPTY));
    }

    @Test
    void everyBatchIsSelfConsistentAndNothingStagedIsReachableUntilTheLastWrite() {
        IptablesPlan plan = plan(60, 3);
        Set<String> staged = new HashSet<>();
        List<String> payloads = applyStaged(EMPTY, plan, BatchPolicy.chains(40), staged);
        assertTrue(payloads.size() >= 6, "base, several batches, last: " + payloads.size());
        // The union of the batches is every service chain of the plan, each written once.
        Set<String> serviceChains = new HashSet<>(plan.chainOwners().keySet());
        serviceChains.retainAll(plan.desired().table("nat").chains().keySet());
        assertEquals(serviceChains, staged);
        int declared = payloads.subList(1, payloads.size() - 1).stream()
                .mapToInt(p -> (int) p.lines().filter(l -> l.startsWith(":")).count()).sum();
        assertEquals(staged.size(), declared, "no chain is declared twice");
        // The jumps to the staged chains all come in the last write.
        String last = payloads.get(payloads.size() - 1);
        assertTrue(last.contains("-j KUBE-SVC-"), last);
        for (String batch : payloads.subList(0, payloads.size() - 1)) {
            assertTrue(batch.lines().noneMatch(l -> l.startsWith("-A KUBE-SERVICES") && l.contains("-j KUBE-SVC-")),
                    "no jump to a service before the last write");
        }
    }

    @Test
    void batchesRespectTheChainBudgetWithWholeServices() {
        // 1 service chain + 4 endpoint chains per service (no NodePorts, so no external chain).
        IptablesPlan plan = IptablesPlanner.plan(SyntheticCluster.of(30, 4, false), OPTS);
        BatchPlanner.Staging staging = BatchPlanner.staging(EMPTY, plan, BatchPolicy.chains(12));
        for (ChangeSet batch : staging.batches()) {
            List<String> chains = batch.payload().lines().filter(l -> l.startsWith(":")).toList();
            assertEquals(10, chains.size(), "two whole services of 5 chains fit 12: " + chains);
            assertEquals(2, batch.services().size());
            assertEquals(chains.size(), batch.counts().chainsCreated());
        }
        assertEquals(15, staging.batchCount());
    }

    @Test
    void aServiceLargerThanTheBudgetIsWrittenAloneAndWhole() {
        IptablesPlan plan = plan(4, 20);
        BatchPlanner.Staging staging = BatchPlanner.staging(EMPTY, plan, BatchPolicy.chains(5));
        assertEquals(4, staging.batchCount());
        for (ChangeSet batch : staging.batches()) {
            assertEquals(1, batch.services().size());
            String service = batch.services().get(0).service();
            long owned = plan.chainOwners().values().stream().filter(s -> s.toString().equals(service)).count();
            assertEquals(owned, batch.counts().chainsCreated(), "all 22 chains of " + service);
        }
    }

    @Test
    void aServiceCountPolicyPutsAtMostThatManyServicesInABatch() {
        BatchPlanner.Staging staging = BatchPlanner.staging(EMPTY, plan(25, 2), BatchPolicy.services(10));
        List<Integer> sizes = new ArrayList<>();
        staging.batches().forEach(b -> sizes.add(b.services().size()));
        assertEquals(List.of(10, 10, 5), sizes);
    }

    @Test
    void deletionsComeOnlyInTheLastWrite() {
        // The node holds 40 services of which the plan keeps 20 (with new endpoints) and adds 60.
        Ruleset node = RestoreSimulator.apply(EMPTY, CompletePayload.toText(plan(40, 2)), false);
        IptablesPlan plan = IptablesPlanner.plan(SyntheticCluster.of(80, 3, true), OPTS);
        List<String> payloads = applyStaged(node, plan, BatchPolicy.chains(30), new HashSet<>());
        for (String payload : payloads.subList(0, payloads.size() - 1)) {
            assertTrue(payload.lines().noneMatch(l -> l.startsWith("-X ") || l.startsWith("-D ")),
                    "only the last write removes anything:\n" + payload);
        }
    }

    @Test
    void existingServicesGetOnlyTheirMissingChainsStaged() {
        Ruleset node = RestoreSimulator.apply(EMPTY, CompletePayload.toText(plan(20, 2)), false);
        IptablesPlan plan = plan(20, 6);    // new endpoints: new endpoint chains, the same service chains
        Set<String> staged = new HashSet<>();
        applyStaged(node, plan, BatchPolicy.chains(10), staged);
        Set<String> missing = new HashSet<>(plan.desired().table("nat").chains().keySet());
        missing.removeAll(node.table("nat").chains().keySet());
        missing.retainAll(plan.chainOwners().keySet());
        assertEquals(missing, staged);
        assertTrue(staged.stream().allMatch(c -> c.startsWith("KUBE-SEP-")), staged.toString());
    }

    @Test
    void theLastWriteAddsThousandsOfJumpsAsOneRewriteInsteadOfPositionalInserts() {
        IptablesPlan plan = plan(3000, 1);
        BatchPlanner.Staging staging = BatchPlanner.staging(EMPTY, plan, BatchPolicy.chains(1000));
        Ruleset state = RestoreSimulator.apply(EMPTY, RulesetDiff.diff(EMPTY, staging.base()).payload(), true);
        state = staging.withStagedChains(state);
        String last = RulesetDiff.diff(state, plan).payload();
        assertTrue(last.lines().noneMatch(l -> l.startsWith("-I KUBE-SERVICES")),
                () -> "no positional inserts: " + last.lines().filter(l -> l.startsWith("-I")).limit(5).toList());
        assertTrue(last.contains(":KUBE-SERVICES - [0:0]"), "the chain is rewritten in the same transaction");
    }

    @Test
    void boundsMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> BatchPolicy.chains(0));
        assertThrows(IllegalArgumentException.class, () -> BatchPolicy.services(-1));
    }
}
