package io.svcproxy.plan;

import io.svcproxy.model.PatchedMap;
import io.svcproxy.iptables.Ruleset;
import io.svcproxy.model.ServicePortName;
import io.svcproxy.model.Warning;

import java.util.List;
import java.util.Map;

/**
 * The planner's output for one IP family.
 *
 * @param desired        every chain we own, complete, plus the built-in chains holding only our jump
 *                       rules (in the order they must appear at the top of that chain)
 * @param chainOwners    per-service chains (KUBE-SVC-, KUBE-SEP-, ...) mapped to the service port they serve
 * @param nfacctCounters nfacct counters the rules reference; they must exist before the rules load
 * @param warnings       what was skipped while planning, each naming its object
 */
public record IptablesPlan(Ruleset desired, Map<String, ServicePortName> chainOwners,
                           List<String> nfacctCounters, List<Warning> warnings) {
    public IptablesPlan {
        // Kept, not copied, when already immutable: 10,000 services own over 100,000 chains.
        chainOwners = chainOwners instanceof PatchedMap<String, ServicePortName> p ? p : PatchedMap.copyOf(chainOwners);
        nfacctCounters = List.copyOf(nfacctCounters);
        warnings = List.copyOf(warnings);
    }
}
