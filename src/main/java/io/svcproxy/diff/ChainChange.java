package io.svcproxy.diff;

import java.util.List;

/**
 * What changes in one chain, for the readable diff (the payload may differ in form: a rewrite, or
 * single-rule edits). For a shared chain, one entry per service lists only that service's rules.
 *
 * @param added   rules that appear (desired, not in actual)
 * @param removed rules that go away (actual, not in desired)
 */
public record ChainChange(String table, String chain, Kind kind, List<String> added, List<String> removed) {

    public enum Kind { CREATED, REWRITTEN, EDITED, DELETED }

    public ChainChange {
        added = List.copyOf(added);
        removed = List.copyOf(removed);
    }
}
