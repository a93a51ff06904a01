package io.svcproxy.iptables;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * kube-proxy writes "--probability" as 1/n with 10 decimals; the kernel keeps it as a 31-bit fixed
 * point number and iptables-save prints that back with 11 decimals (0.3333333333 -> 0.33333333349).
 * We emit the saved form so a rendered rule equals the rule read back from the kernel.
 */
public final class StatisticProbability {
    private static final double SCALE = 0x80000000L;

    private StatisticProbability() {
    }

    /** kube-proxy's text for 1/n ("%0.10f"). */
    public static String kubeProxyText(int n) {
        return new BigDecimal(1.0 / n).setScale(10, RoundingMode.HALF_EVEN).toPlainString();
    }

    /** What iptables-save prints after loading {@link #kubeProxyText(int)}. */
    public static String savedText(int n) {
        double requested = Double.parseDouble(kubeProxyText(n));
        long fixed = Math.round(SCALE * requested);
        // glibc's printf rounds the exact binary value half-to-even; BigDecimal(double) is exact.
        return new BigDecimal(fixed / SCALE).setScale(11, RoundingMode.HALF_EVEN).toPlainString();
    }
}
