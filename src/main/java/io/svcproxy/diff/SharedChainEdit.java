package io.svcproxy.diff;

import java.util.ArrayList;
import java.util.List;

/**
 * Single-rule edits turning the actual rules of a shared chain (KUBE-SERVICES, ...) into the desired
 * ones: "-D spec" for every rule not kept, then "-I pos spec" / "-A spec" for every missing desired
 * rule in desired order, so the final order equals the desired order exactly.
 */
final class SharedChainEdit {
    final List<RestoreLine> deletes = new ArrayList<>();
    final List<RestoreLine> inserts = new ArrayList<>();
    final List<String> removedRules = new ArrayList<>();
    final List<String> addedRules = new ArrayList<>();

    int size() {
        return deletes.size() + inserts.size();
    }

    static SharedChainEdit of(String chain, List<String> actual, List<String> desired) {
        RuleAlignment alignment = RuleAlignment.of(actual, desired);
        SharedChainEdit edit = new SharedChainEdit();
        for (int i = 0; i < actual.size(); i++) {
            if (!alignment.keptActual[i]) {
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
