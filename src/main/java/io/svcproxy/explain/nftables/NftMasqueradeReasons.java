package io.svcproxy.explain.nftables;

/** Why kube-proxy's nftables rules masquerade a packet, from the rule that marked (or masqueraded) it. */
final class NftMasqueradeReasons {
    private NftMasqueradeReasons() {
    }

    static String marked(String chain, String rule) {
        String why;
        if (rule.contains("saddr !=")) {
            why = "source outside the cluster CIDR";
        } else if (rule.contains("iifname !=")) {
            why = "not from a pod interface";
        } else if (chain.startsWith("external-") || chain.startsWith("firewall-")) {
            why = "external traffic (NodePort, external or load-balancer IP)";
        } else {
            why = "marked";
        }
        return why + ", marked by: " + chain + ": " + rule;
    }

    /** A masquerade no mark asked for: kube-proxy's hairpin rule (an endpoint reaching itself). */
    static String direct(String rule) {
        return (rule.contains("hairpin") ? "hairpin: the endpoint reaches itself through the service"
                : "masqueraded") + ", by: " + rule;
    }
}
