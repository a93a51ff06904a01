package io.svcproxy.netlink.nftables;

import io.svcproxy.nftables.Bytes;
import io.svcproxy.nftables.NftElement;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Interval sets between the model and the kernel. The model holds one element per range: key =
 * first address, data = first address past the range (all-zero when the range reaches the top of
 * the address space). The kernel holds each range as a start element and an element flagged
 * NFT_SET_ELEM_INTERVAL_END at the address past it; nft also sends an end element at address
 * zero before a first range that does not start there, and merges ranges that touch. This is
 * what nft 1.0.6 sends for "ip saddr != { 192.0.2.0/24, 198.51.100.0/25 }".
 */
final class NftIntervals {
    /** One element as the kernel holds it. */
    record KernelElement(Bytes key, boolean end) {
    }

    private NftIntervals() {
    }

    static List<KernelElement> toKernel(List<NftElement> ranges) {
        List<NftElement> sorted = new ArrayList<>(ranges);
        sorted.sort(Comparator.comparing(NftElement::key));
        List<KernelElement> out = new ArrayList<>();
        if (sorted.isEmpty()) {
            return out;
        }
        Bytes zero = Bytes.of(new byte[sorted.get(0).key().length()]);
        if (!sorted.get(0).key().equals(zero)) {
            out.add(new KernelElement(zero, true));
        }
        for (int i = 0; i < sorted.size(); i++) {
            NftElement r = sorted.get(i);
            if (r.data() == null) {
                throw new IllegalArgumentException("interval element " + r.key() + " has no range end");
            }
            boolean touchesPrevious = i > 0 && sorted.get(i - 1).data().equals(r.key());
            if (!touchesPrevious) {
                out.add(new KernelElement(r.key(), false));
            }
            boolean touchesNext = i + 1 < sorted.size() && sorted.get(i + 1).key().equals(r.data());
            boolean reachesTop = r.data().equals(zero);
            if (!touchesNext && !reachesTop) {
                out.add(new KernelElement(r.data(), true));
            }
        }
        return out;
    }

    /** The ranges of a dumped interval set (the kernel's order does not matter). */
    static List<NftElement> fromKernel(List<KernelElement> elements) {
        List<KernelElement> sorted = new ArrayList<>(elements);
        sorted.sort(Comparator.comparing(KernelElement::key).thenComparing(k -> !k.end()));
        List<NftElement> out = new ArrayList<>();
        Bytes start = null;
        for (KernelElement e : sorted) {
            if (e.end()) {
                if (start != null) {
                    out.add(NftElement.data(start, e.key()));
                    start = null;
                }
            } else {
                if (start != null) {
                    out.add(NftElement.data(start, e.key()));   // a merged boundary: ends where the next starts
                }
                start = e.key();
            }
        }
        if (start != null) {
            out.add(NftElement.data(start, Bytes.of(new byte[start.length()])));
        }
        return out;
    }
}
