package io.svcproxy.apply;

import java.util.Collection;

/** Creates nfacct counters that "-m nfacct" rules reference (a rule naming a missing one fails to load). */
public interface NfacctCounters {
    /** Creates each counter that does not exist yet; existing ones (and their counts) are kept. */
    void ensure(Collection<String> names);
}
