package io.svcproxy.iptables;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which chains and rules belong to svcproxy, in either proxy mode (iptables mode's and IPVS mode's chains
 * are both ours, so switching modes removes the other mode's chains). Everything else (DOCKER, CNI chains, user rules,
 * kubelet's KUBE-KUBELET-CANARY and KUBE-MARK-DROP, ...) is foreign: read, never changed.
 */
public final class Ownership {
    private Ownership() {
    }

    public static final Set<String> BUILTIN_CHAINS = Set.of("INPUT", "FORWARD", "OUTPUT", "PREROUTING", "POSTROUTING");

    private static final Map<String, Set<String>> FIXED_CHAINS = Map.of(
            "filter", Set.of("KUBE-SERVICES", "KUBE-EXTERNAL-SERVICES", "KUBE-FORWARD", "KUBE-NODEPORTS",
                    "KUBE-PROXY-FIREWALL", "KUBE-PROXY-CANARY", "KUBE-FIREWALL",
                    // IPVS mode's filter chains
                    "KUBE-NODE-PORT", "KUBE-SOURCE-RANGES-FIREWALL", "KUBE-IPVS-FILTER", "KUBE-IPVS-OUT-FILTER"),
            "nat", Set.of("KUBE-SERVICES", "KUBE-NODEPORTS", "KUBE-POSTROUTING", "KUBE-MARK-MASQ", "KUBE-PROXY-CANARY",
                    // IPVS mode's nat chains
                    "KUBE-NODE-PORT", "KUBE-LOAD-BALANCER"),
            "mangle", Set.of("KUBE-PROXY-CANARY"));

    private static final List<String> NAT_PREFIXES = List.of("KUBE-SVC-", "KUBE-SVL-", "KUBE-EXT-", "KUBE-FW-", "KUBE-SEP-");

    /** Chains holding one rule per service, edited rule by rule instead of rewritten. */
    private static final Set<String> SHARED_CHAINS = Set.of(
            "KUBE-SERVICES", "KUBE-NODEPORTS", "KUBE-EXTERNAL-SERVICES", "KUBE-PROXY-FIREWALL");

    public static boolean isBuiltin(String chain) {
        return BUILTIN_CHAINS.contains(chain);
    }

    /** A user chain whose whole content we manage. */
    public static boolean isOwnedChain(String table, String chain) {
        if (FIXED_CHAINS.getOrDefault(table, Set.of()).contains(chain)) {
            return true;
        }
        if (table.equals("nat")) {
            for (String prefix : NAT_PREFIXES) {
                if (chain.startsWith(prefix) && chain.length() > prefix.length()) {
                    return true;
                }
            }
        }
        return false;
    }

    /** An owned chain edited with single-rule -D/-I (it holds rules of many services, possibly thousands). */
    public static boolean isShared(String table, String chain) {
        return isOwnedChain(table, chain) && SHARED_CHAINS.contains(chain);
    }

    /** An owned chain we may delete; filter KUBE-FIREWALL is shared with kubelet, so it stays. */
    public static boolean isDeletable(String table, String chain) {
        return isOwnedChain(table, chain) && !(table.equals("filter") && chain.equals("KUBE-FIREWALL"));
    }

    /**
     * A rule in a built-in chain is ours when the desired plan lists it there, or when it jumps to
     * one of our chains (a stale jump we left behind).
     */
    public static boolean isOurBuiltinRule(String table, String spec, Set<String> desiredRulesOfChain) {
        if (desiredRulesOfChain.contains(spec)) {
            return true;
        }
        return RuleText.target(spec).map(t -> isOwnedChain(table, t)).orElse(false);
    }
}
