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
    void endpointChainHashesNameProtocolAndEndpoint() {
        ServicePortName name = new ServicePortName("ns1", "svc1", "p80", Protocol.TCP);
        String v4 = ChainNames.endpoint(name, Endpoint.ready(Addresses.parseIp("10.180.0.1"), 80, "n"));
        String v6 = ChainNames.endpoint(name, Endpoint.ready(Addresses.parseIp("fd00::1"), 80, "n"));
        assertEquals(25, v4.length());
        assertEquals("KUBE-SEP-", v4.substring(0, 9));
        assertEquals(false, v4.equals(v6));
    }
}
