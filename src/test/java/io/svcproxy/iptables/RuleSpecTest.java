package io.svcproxy.iptables;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.svcproxy.model.Cidr;
import io.svcproxy.model.Protocol;
import org.junit.jupiter.api.Test;

class RuleSpecTest {

    @Test
    void rendersInIptablesSaveOrder() {
        String r = RuleSpec.rule().comment("ns4/svc4:p80 cluster IP").destinationPort(Protocol.TCP, 80)
                .jump("KUBE-MARK-MASQ").protocol(Protocol.TCP).destination(Cidr.parse("172.30.0.44"))
                .notSource(Cidr.parse("10.0.0.0/8")).build();
        assertEquals("! -s 10.0.0.0/8 -d 172.30.0.44/32 -p tcp -m comment --comment \"ns4/svc4:p80 cluster IP\""
                + " -m tcp --dport 80 -j KUBE-MARK-MASQ", r);
    }

    @Test
    void quotesLikeIptablesSave() {
        assertEquals("x", RuleSpec.quote("x"));
        assertEquals("\"ns/a:b\"", RuleSpec.quote("ns/a:b"));
        assertEquals("\"a\\\"b\\'c\\\\d\"", RuleSpec.quote("a\"b'c\\d"));
        assertThrows(IllegalArgumentException.class, () -> RuleSpec.quote("a\n-A INPUT -j ACCEPT"));
    }

    @Test
    void rejectsTargetsThatAreNotSingleWords() {
        assertThrows(IllegalArgumentException.class, () -> RuleSpec.rule().jump("X -j ACCEPT"));
    }
}
