package io.svcproxy.netlink.conntrack;

import java.util.Arrays;
import java.util.Objects;

/**
 * One conntrack entry as a dump reports it: both tuples, plus what is needed to delete exactly this
 * entry again: the original tuple's attribute bytes as the kernel sent them (zone included), the
 * conntrack zone and the entry id (a delete carrying the id never hits a newer entry with the same tuple).
 *
 * @param family   AF_INET or AF_INET6 (from nfgenmsg)
 * @param zone     CTA_ZONE, or -1 when absent (default zone)
 * @param id       CTA_ID, or -1 when absent
 */
public record ConntrackEntry(int family, ConntrackTuple original, ConntrackTuple reply, byte[] originalTupleAttributes,
                             int zone, long id) {
    public ConntrackEntry {
        Objects.requireNonNull(original, "original");
        Objects.requireNonNull(reply, "reply");
        originalTupleAttributes = originalTupleAttributes.clone();
    }

    @Override
    public byte[] originalTupleAttributes() {
        return originalTupleAttributes.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConntrackEntry e && family == e.family && original.equals(e.original)
                && reply.equals(e.reply) && Arrays.equals(originalTupleAttributes, e.originalTupleAttributes)
                && zone == e.zone && id == e.id;
    }

    @Override
    public int hashCode() {
        return Objects.hash(family, original, reply, Arrays.hashCode(originalTupleAttributes), zone, id);
    }

    @Override
    public String toString() {
        return "ConntrackEntry[" + original + " / " + reply + (zone >= 0 ? " zone=" + zone : "")
                + (id >= 0 ? " id=" + id : "") + "]";
    }
}
