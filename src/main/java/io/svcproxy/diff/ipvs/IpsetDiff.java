package io.svcproxy.diff.ipvs;

import io.svcproxy.ipset.Ipset;
import io.svcproxy.ipset.IpsetRestore;
import io.svcproxy.ipset.IpsetState;
import io.svcproxy.ipset.KubeIpsets;

import java.util.ArrayList;
import java.util.List;

/**
 * (actual ipsets, desired ipsets) -> the minimal "ipset restore" payload: missing sets created and
 * filled, stale members deleted, new members added ("-exist" everywhere, so a retry after a partial
 * failure is harmless). A set whose type or family changed is destroyed and re-created (that fails
 * while an iptables rule still names it; kube-proxy's own names never change type). Sets of earlier
 * kube-proxy versions (KUBE-NODE-PORT-SCTP, ...) are destroyed after the glue is reloaded; other sets,
 * ours for a family not planned here or foreign ones, are left alone.
 */
public final class IpsetDiff {
    private IpsetDiff() {
    }

    public static IpsetChanges diff(IpsetState actual, IpsetState desired) {
        List<String> apply = new ArrayList<>();
        for (Ipset want : desired.sets().values()) {
            Ipset have = actual.get(want.name());
            if (have != null && !have.sameDefinition(want)) {
                apply.add(IpsetRestore.destroy(have.name()));
                have = null;
            }
            if (have == null) {
                apply.add(IpsetRestore.create(want));
                for (String m : want.members()) {
                    apply.add(IpsetRestore.add(want, m));
                }
                continue;
            }
            for (String m : have.members()) {
                if (!want.members().contains(m)) {
                    apply.add(IpsetRestore.del(want, m));
                }
            }
            for (String m : want.members()) {
                if (!have.members().contains(m)) {
                    apply.add(IpsetRestore.add(want, m));
                }
            }
        }
        List<String> destroy = new ArrayList<>();
        for (String name : actual.sets().keySet()) {
            if (!desired.sets().containsKey(name) && KubeIpsets.LEGACY_NAMES.contains(name)) {
                destroy.add(IpsetRestore.destroy(name));
            }
        }
        return new IpsetChanges(apply, destroy);
    }
}
