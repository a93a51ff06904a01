package io.svcproxy.dataplane;

import io.svcproxy.model.IpFamily;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one sync did to one family's rules, in every mode's words.
 *
 * @param full          the kernel was read (not only the remembered state trusted)
 * @param writes        kernel transactions that wrote something (iptables-restore runs, nf_tables batches)
 * @param payloadBytes  bytes those writes sent
 * @param driftRepaired our objects found changed by someone else and put back
 * @param rulesAdded    rules added
 * @param rulesDeleted  rules deleted
 * @param rulesPerTable the rules we own afterwards, per table (kubeproxy_sync_proxy_rules_iptables_total);
 *                      empty when not known
 */
public record FamilyResult(IpFamily family, boolean full, int writes, long payloadBytes, int driftRepaired,
                           int rulesAdded, int rulesDeleted, Map<String, Integer> rulesPerTable) {
    public FamilyResult {
        rulesPerTable = Collections.unmodifiableMap(new TreeMap<>(rulesPerTable));
    }

    public boolean changed() {
        return writes > 0;
    }
}
