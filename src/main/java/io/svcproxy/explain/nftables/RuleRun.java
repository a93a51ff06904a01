package io.svcproxy.explain.nftables;

import io.svcproxy.explain.Flow;
import io.svcproxy.nftables.NftVerdict;

/**
 * How one rule ended for one branch of the walk.
 *
 * @param kind    NO_MATCH (a comparison failed), NEXT (ran through, no verdict), VERDICT, REJECT, UNKNOWN
 * @param verdict the verdict for VERDICT (accept after a nat or masquerade statement too)
 * @param note    what happened ("DNAT to ...", "numgen 1 of 3"), or the reason of UNKNOWN
 */
record RuleRun(Kind kind, NftVerdict verdict, Flow flow, String note) {
    enum Kind { NO_MATCH, NEXT, VERDICT, REJECT, UNKNOWN }
}
