package io.svcproxy.iptables;

import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OwnershipTest {

    @Test
    void fixedAndPrefixedChains() {
        assertTrue(Ownership.isOwnedChain("nat", "KUBE-SVC-ABCDEF"));
        assertTrue(Ownership.isOwnedChain("nat", "KUBE-SEP-ABCDEF"));
        assertFalse(Ownership.isOwnedChain("filter", "KUBE-SVC-ABCDEF"));
        assertFalse(Ownership.isOwnedChain("nat", "KUBE-SVC-"));
        assertTrue(Ownership.isOwnedChain("filter", "KUBE-FIREWALL"));
        assertFalse(Ownership.isDeletable("filter", "KUBE-FIREWALL"));
        assertTrue(Ownership.isOwnedChain("mangle", "KUBE-PROXY-CANARY"));
        assertFalse(Ownership.isOwnedChain("mangle", "KUBE-SERVICES"));
        assertFalse(Ownership.isOwnedChain("nat", "KUBE-MARK-DROP"));
        assertFalse(Ownership.isOwnedChain("nat", "KUBE-KUBELET-CANARY"));
        assertFalse(Ownership.isOwnedChain("nat", "DOCKER"));
        assertTrue(Ownership.isShared("nat", "KUBE-SERVICES"));
        assertFalse(Ownership.isShared("nat", "KUBE-MARK-MASQ"));
    }

    @Test
    void builtinRulesAreOursOnlyWhenPlannedOrJumpingToOurChains() {
        assertTrue(Ownership.isOurBuiltinRule("nat", "-j KUBE-SERVICES", Set.of()));
        assertTrue(Ownership.isOurBuiltinRule("nat", "-m comment --comment x -j KUBE-SVC-OLD", Set.of()));
        assertTrue(Ownership.isOurBuiltinRule("nat", "-j ACCEPT", Set.of("-j ACCEPT")));
        assertFalse(Ownership.isOurBuiltinRule("nat", "-j DOCKER", Set.of()));
        assertFalse(Ownership.isOurBuiltinRule("nat", "-j KUBE-MARK-DROP", Set.of()));
    }
}
