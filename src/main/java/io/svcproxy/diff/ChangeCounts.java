package io.svcproxy.diff;

/** Sizes of a change set; rule counts are logical (rules that appear / go away), not payload lines. */
public record ChangeCounts(int chainsCreated, int chainsRewritten, int chainsDeleted,
                           int rulesAdded, int rulesDeleted, int payloadLines) {
}
