package io.svcproxy.apply;

import io.svcproxy.diff.ChangeSet;
import io.svcproxy.iptables.Ruleset;
import io.svcproxy.model.IpFamily;

/**
 * The kernel edge for iptables: read the current rules, write a --noflush payload. Each call of
 * {@link #restore} is one iptables-restore run, atomic per table.
 */
public interface IptablesRestorer {

    /** Reads the node's rules of one family (all tables). */
    Ruleset save(IpFamily family);

    /**
     * Writes one change set with iptables-restore --noflush, streamed; returns the payload bytes
     * written. Throws {@link RestoreException} if refused.
     */
    long restore(IpFamily family, ChangeSet changes);

    /** Cheap check that a chain exists (the canary); false when it is gone. */
    boolean chainExists(IpFamily family, String table, String chain);
}
