package io.svcproxy.diff;

import java.util.ArrayList;
import java.util.List;

/**
 * Single-rule edits turning the actual rules of a shared chain (KUBE-SERVICES, ...) into the desired
 * ones: "-D spec" for every rule not kept, then "-I pos spec" / "-A spec" for every missing desired
 * rule in desired order, so the final order equals the desired order exactly.
 */
final class SharedChainEdit {
    private static final long WALK_PER_APPEND = 2000;
    final List<RestoreLine> deletes = new ArrayList<>();
    final List<RestoreLine> inserts = new ArrayList<>();
    final List<String> removedRules = new ArrayList<>();
    final List<String> addedRules = new ArrayList<>();

    /**
     * Rule positions iptables walks to find where each line applies, counted as one per rule passed:
     * "-I CHAIN p" and "-D spec" both walk the chain (in iptables-nft and, for "-I", in the kernel
     * too), so thousands of them in a long chain cost far more than rewriting it.
     */
    private long walked;

    int size() {
        return deletes.size() + inserts.size();
    }

    /**
     * Whether this edit is cheaper to load than a rewrite of the chain (flush, then one append per
     * desired rule). Both add the missing rules; the edit also walks the chain for each line, the
     * rewrite also re-adds every rule that was kept. One append costs about as much as walking
     * {@value #WALK_PER_APPEND} rules (iptables-nft 1.8.9, 10000 jumps into KUBE-SERVICES: as
     * "-I KUBE-SERVICES p" lines 4.3 s of CPU, as a rewrite 2.0 s). A partial sync's few edits in a
     * long chain stay edits; a first sync's thousands of jumps become a rewrite.
     */
    boolean cheaperThanRewrite(int desiredRules) {
        long kept = desiredRules - inserts.size();
        return walked <= kept * WALK_PER_APPEND + inserts.size();
    }

    static SharedChainEdit of(String chain, List<String> actual, List<String> desired) {
        RuleAlignment alignment = RuleAlignment.of(actual, desired);
        SharedChainEdit edit = new SharedChainEdit();
        for (int i = 0; i < actual.size(); i++) {
            if (!alignment.keptActual[i]) {
                edit.walked += i + 1;
                edit.deletes.add(new RestoreLine.DeleteRule(chain, actual.get(i)));
                edit.removedRules.add(actual.get(i));
            }
        }
        // Walking desired in order, positions 0..d-1 already hold desired[0..d-1].
        int length = alignment.keptCount;
        for (int d = 0; d < desired.size(); d++) {
            if (alignment.keptDesired[d]) {
                continue;
            }
            String rule = desired.get(d);
            edit.walked += d == length ? 1 : d + 1;
            edit.inserts.add(d == length ? new RestoreLine.AppendRule(chain, rule) : new RestoreLine.InsertRule(chain, d + 1, rule));
            edit.addedRules.add(rule);
            length++;
        }
        return edit;
    }

    /**
     * Replays the edit on a copy of actual, with iptables' "-D deletes the first equal rule"; the
     * alignment is exact for unique desired rules, this checks the rare duplicate case.
     */
    boolean produces(List<String> actual, List<String> desired) {
        List<String> rules = new ArrayList<>(actual);
        for (RestoreLine line : deletes) {
            if (!rules.remove(((RestoreLine.DeleteRule) line).spec())) {
                return false;
            }
        }
        for (RestoreLine line : inserts) {
            if (line instanceof RestoreLine.InsertRule insert) {
                rules.add(insert.position() - 1, insert.spec());
            } else {
                rules.add(((RestoreLine.AppendRule) line).spec());
            }
        }
        return rules.equals(desired);
    }
}
