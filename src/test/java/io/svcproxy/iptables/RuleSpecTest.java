package io.svcproxy.iptables;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RuleSpecTest {

    @Test
    void tokenisesQuotedComments() {
        assertEquals(List.of("-m", "comment", "--comment", "a\"b'c\\d", "-j", "X"),
                RuleSpec.tokens("-m comment --comment \"a\\\"b\\'c\\\\d\" -j X"));
        assertEquals(List.of("--nfacct-name", "n"), RuleSpec.tokens("--nfacct-name  n"));
    }

    @Test
    void findsTargetCommentAndService() {
        String rule = "-d 172.30.0.41/32 -p sctp -m comment --comment \"ns1/svc1:p80 cluster IP\" -m sctp --dport 80 -j KUBE-SVC-AAA";
        assertEquals(Optional.of("KUBE-SVC-AAA"), RuleSpec.target(rule));
        assertEquals(Optional.of("ns1/svc1:p80 cluster IP"), RuleSpec.comment(rule));
        assertEquals(Optional.of("ns1/svc1:p80"), RuleSpec.serviceOf(rule));
        assertEquals(Optional.of("ns2/svc2:p80"), RuleSpec.serviceOf("-m comment --comment ns2/svc2:p80 -j X"));
        assertEquals(Optional.empty(), RuleSpec.serviceOf("-m comment --comment \"kubernetes service nodeports; NOTE: x\" -j X"));
        assertEquals(Optional.of("KUBE-MARK-MASQ"), RuleSpec.target("-g KUBE-MARK-MASQ"));
        assertEquals(Optional.empty(), RuleSpec.target("-m comment --comment \"-j FOO\""));
    }

    @Test
    void quotesLikeIptablesSave() {
        assertEquals("ns1-svc_1", RuleSpec.quote("ns1-svc_1"));
        assertEquals("\"ns1/svc1:p80\"", RuleSpec.quote("ns1/svc1:p80"));
        assertEquals("\"a\\\"b\\'c\\\\d\"", RuleSpec.quote("a\"b'c\\d"));
    }
}
