package io.svcproxy.apply;

import io.svcproxy.plan.ConntrackFilter;

import java.util.List;

/** Deletes conntrack entries (in the current network namespace). */
public interface ConntrackCleaner {
    /** Deletes every entry matching any filter; returns how many were deleted. */
    int delete(List<ConntrackFilter> filters);
}
