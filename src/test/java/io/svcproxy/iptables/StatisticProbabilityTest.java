package io.svcproxy.iptables;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class StatisticProbabilityTest {

    @Test
    void kubeProxyWritesTenDecimals() {
        assertEquals("0.5000000000", StatisticProbability.kubeProxyText(2));
        assertEquals("0.3333333333", StatisticProbability.kubeProxyText(3));
        assertEquals("0.0010000000", StatisticProbability.kubeProxyText(1000));
    }

    @Test
    void savedTextIsWhatIptablesSavePrints() {
        // Observed on this project's machines with iptables 1.8.9, nft and legacy backends alike.
        assertEquals("0.50000000000", StatisticProbability.savedText(2));
        assertEquals("0.33333333349", StatisticProbability.savedText(3));
        assertEquals("0.00100000016", StatisticProbability.savedText(1000));
    }
}
