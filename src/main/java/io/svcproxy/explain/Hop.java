package io.svcproxy.explain;

/**
 * One step of a walk: a rule that matched (or could not be evaluated), in the chain it sits in.
 *
 * @param where   "nat KUBE-SERVICES" (iptables) or "ip kube-proxy services" (nftables)
 * @param rule    the rule as iptables-save / nft prints it, comment included; or "policy DROP"
 * @param foreign the chain is not one svcproxy (or kube-proxy) owns
 * @param note    what the step means for the packet ("jump", "p=0.3333", "not evaluated: ..."), or null
 */
public record Hop(String where, String rule, boolean foreign, String note) {
    public Hop withNote(String newNote) {
        return new Hop(where, rule, foreign, newNote);
    }
}
