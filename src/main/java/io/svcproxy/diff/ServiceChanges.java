package io.svcproxy.diff;

import java.util.List;

/**
 * The changes of one service port ("ns/name:port"), or of node-wide chains when {@code service} is
 * empty (KUBE-MARK-MASQ, jumps in built-in chains, the nodeports rule, ...).
 */
public record ServiceChanges(String service, List<ChainChange> chains) {

    public enum Status { ADDED, REMOVED, CHANGED }

    public ServiceChanges {
        chains = List.copyOf(chains);
    }

    public boolean nodeWide() {
        return service.isEmpty();
    }

    /** ADDED when the service only gains rules/chains, REMOVED when it only loses them. */
    public Status status() {
        boolean adds = chains.stream().anyMatch(c -> c.kind() == ChainChange.Kind.CREATED || !c.added().isEmpty());
        boolean removes = chains.stream().anyMatch(c -> c.kind() == ChainChange.Kind.DELETED || !c.removed().isEmpty());
        if (adds && !removes) {
            return Status.ADDED;
        }
        if (removes && !adds) {
            return Status.REMOVED;
        }
        return Status.CHANGED;
    }
}
