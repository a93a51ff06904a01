package io.svcproxy.iptables;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RuleTextTest {

    @Test
    void tokenisesQuotedComments() {
        assertEquals(List.of("-m", "comment", "--comment", "a\"b'c\\d", "-j", "X"),
                RuleText.tokens("-m comment --comment \"a\\\"b\\'c\\\\d\" -j X"));
        assertEquals(List.of("--nfacct-name", "n"), RuleText.tokens("--nfacct-name  n"));
    }

    @Test
    void findsTargetCommentAndService() {
        String rule = "-d 172.30.0.41/32 -p sctp -m comment --comment \"ns1/svc1:p80 cluster IP\" -m sctp --dport 80 -j KUBE-SVC-AAA";
        assertEquals(Optional.of("KUBE-SVC-AAA"), RuleText.target(rule));
        assertEquals(Optional.of("ns1/svc1:p80 cluster IP"), RuleText.comment(rule));
        assertEquals(Optional.of("ns1/svc1:p80"), RuleText.serviceOf(rule));
        assertEquals(Optional.of("ns2/svc2:p80"), RuleText.serviceOf("-m comment --comment ns2/svc2:p80 -j X"));
        assertEquals(Optional.empty(), RuleText.serviceOf("-m comment --comment \"kubernetes service nodeports; NOTE: x\" -j X"));
        assertEquals(Optional.of("KUBE-MARK-MASQ"), RuleText.target("-g KUBE-MARK-MASQ"));
        assertEquals(Optional.empty(), RuleText.target("-m comment --comment \"-j FOO\""));
    }
}
