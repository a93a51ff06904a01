package io.svcproxy.diff.nftables;

import io.svcproxy.nftables.Bytes;
import io.svcproxy.nftables.NftChain;
import io.svcproxy.nftables.NftElement;
import io.svcproxy.nftables.NftExpr;
import io.svcproxy.nftables.NftFamily;
import io.svcproxy.nftables.NftKeyType;
import io.svcproxy.nftables.NftRule;
import io.svcproxy.nftables.NftSet;
import io.svcproxy.nftables.NftTable;
import io.svcproxy.nftables.NftType;
import io.svcproxy.nftables.NftVerdict;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Random tables of kube-proxy's shape, small enough to explore many: base chains, service chains
 * that jump to endpoint chains, a verdict map going to service chains, plain sets, dynamic sets
 * with update rules, anonymous maps inside rules. Every reference stays inside the table, as a
 * plan's do. Drawing from a small pool of names makes two random tables overlap, so diffs see
 * kept, changed, added and removed objects at once.
 */
final class RandomNftTables {
    static final String TABLE = "kube-proxy";
    private static final NftKeyType ADDR_PORT = NftKeyType.of(NftType.IPV4_ADDR, NftType.INET_SERVICE);
    private static final NftKeyType ADDR = NftKeyType.of(NftType.IPV4_ADDR);
    private static final NftKeyType VERDICT = NftKeyType.of(NftType.VERDICT);

    private final Random random;

    RandomNftTables(long seed) {
        random = new Random(seed);
    }

    NftTable table() {
        Map<String, NftChain> chains = new LinkedHashMap<>();
        Map<String, NftSet> sets = new LinkedHashMap<>();
        List<String> services = new ArrayList<>();
        int serviceCount = random.nextInt(6);
        for (int s = 0; s < serviceCount; s++) {
            String svc = "service-" + random.nextInt(8);
            if (chains.containsKey(svc)) {
                continue;
            }
            services.add(svc);
            List<String> endpoints = new ArrayList<>();
            int eps = 1 + random.nextInt(3);
            for (int e = 0; e < eps; e++) {
                String ep = "endpoint-" + svc.substring(8) + "-" + random.nextInt(4);
                if (!endpoints.contains(ep)) {
                    endpoints.add(ep);
                    chains.put(ep, NftChain.regular(ep, List.of(rule(cmp(random.nextInt(3)), NftExpr.Immediate
                            .verdict(NftVerdict.ACCEPT)))));
                }
            }
            List<NftRule> rules = new ArrayList<>();
            if (random.nextBoolean()) {
                String affinity = "affinity-" + svc.substring(8);
                sets.put(affinity, new NftSet(affinity, ADDR, null, NftSet.F_EVAL | NftSet.F_TIMEOUT,
                        random.nextBoolean() ? 10_800_000 : 300_000, 65535, null, List.of()));
                rules.add(rule(new NftExpr.Dynset(NftExpr.Dynset.UPDATE, 1, affinity, 0)));
            }
            List<NftElement> spread = new ArrayList<>();
            for (int i = 0; i < endpoints.size(); i++) {
                spread.add(NftElement.verdict(Bytes.host32(i), NftVerdict.goTo(endpoints.get(i)), null));
            }
            NftSet anon = new NftSet("__map" + random.nextInt(9), NftKeyType.of(NftType.INTEGER), VERDICT,
                    NftSet.F_ANONYMOUS | NftSet.F_CONSTANT | NftSet.F_MAP, 0, 0, null, spread);
            rules.add(rule(new NftExpr.Numgen(1, endpoints.size(), NftExpr.Numgen.RANDOM, 0),
                    new NftExpr.Lookup(new NftExpr.Anonymous(anon), 1, 0, 0)));
            chains.put(svc, NftChain.regular(svc, rules));
        }
        List<NftElement> vmap = new ArrayList<>();
        for (String svc : services) {
            if (random.nextInt(4) > 0) {
                vmap.add(NftElement.verdict(key(random.nextInt(12)), NftVerdict.goTo(svc), "ns/" + svc));
            }
        }
        dedupe(vmap);
        String mapName = random.nextInt(5) == 0 ? "service-ips-v2" : "service-ips";
        sets.put(mapName, new NftSet(mapName, ADDR_PORT, VERDICT, NftSet.F_MAP, 0, 0,
                random.nextInt(5) == 0 ? "other comment" : null, vmap));
        List<NftElement> plain = new ArrayList<>();
        for (int i = random.nextInt(5); i > 0; i--) {
            plain.add(NftElement.key(Bytes.be32(0x0a600000 + random.nextInt(6))));
        }
        dedupe(plain);
        sets.put("cluster-ips", new NftSet("cluster-ips", ADDR, null, 0, 0, 0, null, plain));
        if (random.nextBoolean()) {
            chains.put("cluster-ips-check", NftChain.regular("cluster-ips-check", List.of(rule(
                    new NftExpr.Lookup(new NftExpr.Named("cluster-ips"), 1, NftExpr.Lookup.NO_DREG, 0),
                    NftExpr.Immediate.verdict(NftVerdict.DROP)))));
        }
        chains.put("services", NftChain.regular("services", List.of(rule(
                new NftExpr.Lookup(new NftExpr.Named(mapName), 1, 0, 0)))));
        List<NftRule> entry = new ArrayList<>();
        entry.add(rule(NftExpr.Immediate.verdict(NftVerdict.jump("services"))));
        if (chains.containsKey("cluster-ips-check") && random.nextBoolean()) {
            entry.add(rule(cmp(random.nextInt(2)), NftExpr.Immediate.verdict(NftVerdict.jump("cluster-ips-check"))));
        }
        int priority = random.nextInt(6) == 0 ? -110 : -100;
        chains.put("nat-prerouting", new NftChain("nat-prerouting",
                new NftChain.Base("nat", NftChain.PREROUTING, priority, NftVerdict.ACCEPT), null, entry));
        return shuffleOrder(new NftTable(NftFamily.IP, TABLE, "rules for kube-proxy", chains, sets));
    }

    /** The kernel's listing order is not the plan's; equality must not depend on it. */
    private NftTable shuffleOrder(NftTable t) {
        List<String> names = new ArrayList<>(t.chains().keySet());
        java.util.Collections.shuffle(names, random);
        Map<String, NftChain> chains = new LinkedHashMap<>();
        names.forEach(n -> chains.put(n, t.chains().get(n)));
        return new NftTable(t.family(), t.name(), t.comment(), chains, t.sets());
    }

    private static void dedupe(List<NftElement> elements) {
        java.util.Set<Bytes> seen = new java.util.HashSet<>();
        elements.removeIf(e -> !seen.add(e.key()));
    }

    private static Bytes key(int n) {
        return Bytes.concat(Bytes.be32(0x0a600000 + n), Bytes.be16(80 + n % 3));
    }

    private static NftExpr cmp(int n) {
        return new NftExpr.Cmp(1, NftExpr.Cmp.EQ, Bytes.be32(0x0af40000 + n));
    }

    private static NftRule rule(NftExpr... exprs) {
        return NftRule.of(List.of(exprs));
    }
}
