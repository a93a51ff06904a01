package io.svcproxy.apply.ipvs;

import io.svcproxy.ipset.IpsetState;

import java.util.List;

/** The kernel edge for ipsets: read our KUBE-* sets, apply "ipset restore" lines. */
public interface Ipsets {

    /** Our sets (KUBE-*, KUBE-6-*) as the kernel has them; foreign sets are left out. */
    IpsetState read();

    /** Applies the lines with one "ipset restore"; throws {@link IpsetException} when refused. */
    void restore(List<String> lines);

    /** An ipset command was refused or could not be run. */
    final class IpsetException extends RuntimeException {
        public IpsetException(String message) {
            super(message);
        }
    }
}
