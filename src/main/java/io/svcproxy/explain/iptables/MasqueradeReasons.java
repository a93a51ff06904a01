package io.svcproxy.explain.iptables;

import io.svcproxy.explain.Hop;

/** Why kube-proxy's rules mark a packet for masquerade, read from the rule that jumped to KUBE-MARK-MASQ. */
final class MasqueradeReasons {
    private MasqueradeReasons() {
    }

    static String of(Hop jump) {
        String rule = jump.rule();
        String chain = jump.where().substring(jump.where().indexOf(' ') + 1);
        String why;
        if (chain.startsWith("KUBE-SEP-")) {
            why = "hairpin: the endpoint reaches itself through the service";
        } else if (rule.contains(" ! -s ")) {
            why = "source outside the cluster CIDR";
        } else if (rule.contains(" ! -i ")) {
            why = "not from a pod interface";
        } else if (chain.startsWith("KUBE-EXT-") || chain.startsWith("KUBE-FW-") || chain.equals("KUBE-NODE-PORT")
                || chain.equals("KUBE-LOAD-BALANCER") || chain.equals("KUBE-EXTERNAL-IP")) {
            why = "external traffic (NodePort, external or load-balancer IP)";
        } else if (chain.startsWith("KUBE-SVC-") || chain.startsWith("KUBE-SVL-")) {
            why = "masquerade-all";
        } else {
            why = "marked";
        }
        return why + ", marked by: " + rule;
    }
}
