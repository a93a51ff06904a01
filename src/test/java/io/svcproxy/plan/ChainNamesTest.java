package io.svcproxy.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.svcproxy.model.Addresses;
import io.svcproxy.model.Endpoint;
import io.svcproxy.model.Protocol;
import io.svcproxy.model.ServicePortName;
import org.junit.jupiter.api.Test;

/** Chain names must be byte-identical to kube-proxy's, or a takeover rewrites every chain. */
class ChainNamesTest {

    @Test
    void serviceChainsMatchKubeProxyOnRealClusters() {
        // Values seen in iptables-save output of real kube-proxy nodes.
        assertEquals("KUBE-SVC-NPX46M4PTMTKRN6Y",
                ChainNames.clusterPolicy(new ServicePortName("default", "kubernetes", "https", Protocol.TCP)));
        assertEquals("KUBE-SVC-TCOU7JCQXEZGVUNU",
                ChainNames.clusterPolicy(new ServicePortName("kube-system", "kube-dns", "dns", Protocol.UDP)));
        assertEquals("KUBE-SVC-ERIFXISQEP7F7OF4",
                ChainNames.clusterPolicy(new ServicePortName("kube-system", "kube-dns", "dns-tcp", Protocol.TCP)));
        assertEquals("KUBE-SVC-2CMXP7HKUVJN7L6M",
                ChainNames.clusterPolicy(new ServicePortName("default", "nginx", "", Protocol.TCP)));
        assertEquals("KUBE-EXT-2CMXP7HKUVJN7L6M",
                ChainNames.external(new ServicePortName("default", "nginx", "", Protocol.TCP)));
    }

    @Test
    void serviceChainsAreKnownByTheirPrefix() {
        ServicePortName nginx = new ServicePortName("default", "nginx", "", Protocol.TCP);
        for (String chain : java.util.List.of(ChainNames.clusterPolicy(nginx), ChainNames.localPolicy(nginx),
                ChainNames.external(nginx), ChainNames.firewall(nginx))) {
            org.junit.jupiter.api.Assertions.assertTrue(ChainNames.isServiceChain(chain), chain);
        }
        for (String chain : java.util.List.of(KubeChains.SERVICES, KubeChains.MARK_MASQ, KubeChains.IPVS_FILTER,
                "KUBE-MARK-DROP")) {
            org.junit.jupiter.api.Assertions.assertFalse(ChainNames.isServiceChain(chain), chain);
        }
    }

    /*
     * Pinned from what upstream kube-proxy v1.36.2 installed (iptables mode, first sync), in
     * shared/reference/kube-proxy-v1.36.2/sets/mix-{1,2,3}/iptables-save.txt, for the objects.yaml beside
     * each: the service port from the rule's comment ("ns/svc:port", "ns/svc" for an unnamed port), the
     * protocol from -p, the endpoint from the KUBE-SEP chain's --to-destination. All 2117 KUBE-SVC/SVL/EXT/
     * FW/SEP names of those three files were checked the same way once; these are a sample. The
     * ip6tables-save.txt files there hold no service (the sets are IPv4-only), so no IPv6 name is pinned.
     */

    private static ServicePortName port(String namespace, String service, String port, Protocol protocol) {
        return new ServicePortName(namespace, service, port, protocol);
    }

    private static Endpoint ep(String ip, int port) {
        return Endpoint.ready(Addresses.parseIp(ip), port, "k8sref-node");
    }

    @Test
    void endpointChainsAreKubeProxysForTheirServicePortProtocolAndEndpoint() {
        // mix-1: -A KUBE-SEP-223TKBLWOCATL6JP -p tcp -m comment --comment "mix1/s11:p2-tcp" ... --to-destination 10.244.77.40:8002
        assertEquals("KUBE-SEP-223TKBLWOCATL6JP",
                ChainNames.endpoint(port("mix1", "s11", "p2-tcp", Protocol.TCP), ep("10.244.77.40", 8002)));
        assertEquals("KUBE-SEP-22VW3Q4ECKY4I6WX",
                ChainNames.endpoint(port("mix1", "s50", "p2-udp", Protocol.UDP), ep("10.244.100.27", 8002)));
        assertEquals("KUBE-SEP-XKH2YR6FYWCROCVJ",
                ChainNames.endpoint(port("mix1", "s12", "p0-sctp", Protocol.SCTP), ep("10.244.84.14", 80)));
        assertEquals("KUBE-SEP-COOTEXJUH6SOG3UT",
                ChainNames.endpoint(port("mix1", "s12", "p0-sctp", Protocol.SCTP), ep("10.244.84.1", 80)));
        // mix-2, an unnamed port ("mix2/s1"): the name hashes "mix2/s1" + "udp" + "10.244.7.1:8000"
        assertEquals("KUBE-SEP-CIKGOWOGDNGS73ZP",
                ChainNames.endpoint(port("mix2", "s1", "", Protocol.UDP), ep("10.244.7.1", 8000)));
        assertEquals("KUBE-SEP-Z3BLOWK5MDGZSKWR",
                ChainNames.endpoint(port("mix2", "s1", "", Protocol.UDP), ep("10.244.7.27", 8000)));
        // mix-3
        assertEquals("KUBE-SEP-IL56WIACWAIORDPK",
                ChainNames.endpoint(port("mix3", "s100", "", Protocol.TCP), ep("10.244.200.40", 443)));
        assertEquals("KUBE-SEP-5GU7U3KRZX6WLHR6",
                ChainNames.endpoint(port("mix3", "s101", "", Protocol.TCP), ep("10.244.208.19", 8000)));
    }

    @Test
    void serviceChainsAreKubeProxysForTheirServicePortAndProtocol() {
        // KUBE-SERVICES ... --comment "mix1/s10 cluster IP" ... -j KUBE-SVC-E5Q4WWS2Y6THACLP
        assertEquals("KUBE-SVC-E5Q4WWS2Y6THACLP", ChainNames.clusterPolicy(port("mix1", "s10", "", Protocol.TCP)));
        assertEquals("KUBE-SVC-Q7LCOAVNEQMON5O5", ChainNames.clusterPolicy(port("mix1", "s22", "", Protocol.TCP)));
        assertEquals("KUBE-SVC-D2256V4AH3AYJOXT", ChainNames.clusterPolicy(port("mix1", "s12", "p0-sctp", Protocol.SCTP)));
        // KUBE-SVL-QYLFNPXUT23AMBTG ... --comment "mix1/s14:p0-udp -> ..." (external traffic policy Local)
        assertEquals("KUBE-SVL-QYLFNPXUT23AMBTG", ChainNames.localPolicy(port("mix1", "s14", "p0-udp", Protocol.UDP)));
        assertEquals("KUBE-SVL-E4LTTYXALDOYO62F", ChainNames.localPolicy(port("mix2", "s8", "p0-sctp", Protocol.SCTP)));
        // KUBE-EXT-*: the jump for nodePort / external / load-balancer traffic
        assertEquals("KUBE-EXT-PANJ5R5225IQ5F2I", ChainNames.external(port("mix1", "s1", "p0-tcp", Protocol.TCP)));
        assertEquals("KUBE-EXT-PMG3R674RCV6FZFA", ChainNames.external(port("mix3", "s165", "p2-udp", Protocol.UDP)));
        // KUBE-FW-*: loadBalancerSourceRanges ("... traffic not accepted by KUBE-FW-CZ5VGBDFRQD7BQHT")
        assertEquals("KUBE-FW-CZ5VGBDFRQD7BQHT", ChainNames.firewall(port("mix1", "s41", "p0-udp", Protocol.UDP)));
        assertEquals("KUBE-FW-W5DJSUMO4RBVBPEQ", ChainNames.firewall(port("mix3", "s165", "p1-sctp", Protocol.SCTP)));
    }

    @Test
    void endpointChainHashesNameProtocolAndEndpoint() {
        ServicePortName name = new ServicePortName("ns1", "svc1", "p80", Protocol.TCP);
        String v4 = ChainNames.endpoint(name, Endpoint.ready(Addresses.parseIp("10.180.0.1"), 80, "n"));
        String v6 = ChainNames.endpoint(name, Endpoint.ready(Addresses.parseIp("fd00::1"), 80, "n"));
        assertEquals(25, v4.length());
        assertEquals("KUBE-SEP-", v4.substring(0, 9));
        assertEquals(false, v4.equals(v6));
        // The same endpoint under another protocol or port name is another chain.
        assertEquals(false, v4.equals(ChainNames.endpoint(new ServicePortName("ns1", "svc1", "p80", Protocol.UDP),
                Endpoint.ready(Addresses.parseIp("10.180.0.1"), 80, "n"))));
    }
}
