package io.svcproxy.ipset;

import io.svcproxy.model.IpFamily;

import java.util.Collections;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * One ipset: its name, type, family (ignored for bitmap:port), the comment the iptables rules
 * matching it carry, and its members in ipset's own text form, sorted.
 */
public record Ipset(String name, IpsetType type, IpFamily family, String comment, SortedSet<String> members) {

    public Ipset {
        IpsetRestore.checkName(name);
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(family, "family");
        Objects.requireNonNull(comment, "comment");
        TreeSet<String> copy = new TreeSet<>();
        for (String m : members) {
            copy.add(IpsetRestore.checkMember(type, m));
        }
        members = Collections.unmodifiableSortedSet(copy);
    }

    public Ipset withMembers(SortedSet<String> newMembers) {
        return new Ipset(name, type, family, comment, newMembers);
    }

    /** Same name, type and family: the kernel set can be kept and only its members edited. */
    public boolean sameDefinition(Ipset other) {
        return name.equals(other.name) && type == other.type && (type == IpsetType.BITMAP_PORT || family == other.family);
    }
}
