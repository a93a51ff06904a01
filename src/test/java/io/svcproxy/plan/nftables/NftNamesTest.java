package io.svcproxy.plan.nftables;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.svcproxy.model.Addresses;
import io.svcproxy.model.Endpoint;
import io.svcproxy.model.Protocol;
import io.svcproxy.model.ServicePortName;
import org.junit.jupiter.api.Test;

class NftNamesTest {
    @Test
    void serviceChainsAreNamedAsKubeProxyNamesThem() {
        // Names read from kube-proxy v1.36.2's ruleset for mix-2.
        ServicePortName s65 = new ServicePortName("mix2", "s65", "p0-tcp", Protocol.TCP);
        assertEquals("service-WDK5JGGB-mix2/s65/tcp/p0-tcp", NftNames.clusterChain(s65));
        ServicePortName s0 = new ServicePortName("mix2", "s0", "", Protocol.TCP);
        assertEquals("external-WQPQNE3G-mix2/s0/tcp/", NftNames.externalChain(s0));
        ServicePortName s3 = new ServicePortName("mix2", "s3", "p0-tcp", Protocol.TCP);
        assertEquals("firewall-5Y3VNZOO-mix2/s3/tcp/p0-tcp", NftNames.firewallChain(s3));
    }

    @Test
    void endpointChainsAndAffinitySetsShareTheEndpointHash() {
        ServicePortName s61 = new ServicePortName("mix2", "s61", "p1-udp", Protocol.UDP);
        Endpoint ep = Endpoint.ready(Addresses.parseIp("10.244.177.1"), 80, "k8sref-node");
        assertEquals("endpoint-IXU5YP6W-mix2/s61/udp/p1-udp__10.244.177.1/80", NftNames.endpointChain(s61, ep));
        assertEquals("affinity-IXU5YP6W-mix2/s61/udp/p1-udp__10.244.177.1/80", NftNames.affinitySet(s61, ep));
    }

    @Test
    void ipv6EndpointColonsBecomeDots() {
        ServicePortName n = new ServicePortName("apps", "both", "http", Protocol.TCP);
        Endpoint ep = Endpoint.ready(Addresses.parseIp("fd00:10:244:1::6e"), 8080, "node-a");
        assertTrue(NftNames.endpointChain(n, ep).endsWith("-apps/both/tcp/http__fd00.10.244.1..6e/8080"));
    }

    @Test
    void longNamesAreTruncatedAfterTheHash() {
        String label = "a".repeat(63);
        ServicePortName n = new ServicePortName(label, label, label, Protocol.SCTP);
        Endpoint ep = Endpoint.ready(Addresses.parseIp("fd00:1111:2222:3333:4444:5555:6666:7777"), 65535, "x");
        String base = NftNames.endpointBase(n, ep);
        assertEquals(NftNames.BASE_LENGTH_MAX, base.length());
        assertTrue(base.endsWith("..."));
        assertEquals(8, base.indexOf('-'));
        assertTrue(NftNames.serviceBase(n).length() < NftNames.BASE_LENGTH_MAX, "service names never truncate");
    }

    @Test
    void commentsAreKubeProxysUpToWhatNftAccepts() {
        assertEquals("default/kubernetes:https",
                NftNames.comment(new ServicePortName("default", "kubernetes", "https", Protocol.TCP)));
        assertEquals("mix2/s70", NftNames.comment(new ServicePortName("mix2", "s70", "", Protocol.SCTP)));
        String label = "a".repeat(63);
        assertEquals(NftNames.COMMENT_LENGTH_MAX,
                NftNames.comment(new ServicePortName(label, label, label, Protocol.TCP)).length());
    }

    @Test
    void onlyDnsLabelsAreSafe() {
        assertTrue(NftNames.safe(new ServicePortName("default", "kubernetes", "https", Protocol.TCP)));
        assertTrue(NftNames.safe(new ServicePortName("default", "kubernetes", "", Protocol.TCP)));
        assertFalse(NftNames.safe(new ServicePortName("default", "a\" drop", "", Protocol.TCP)));
        assertFalse(NftNames.safe(new ServicePortName("def ault", "x", "", Protocol.TCP)));
        assertFalse(NftNames.safe(new ServicePortName("default", "x", "p;flush", Protocol.TCP)));
        assertFalse(NftNames.safe(new ServicePortName("Default", "x", "", Protocol.TCP)));
    }
}
