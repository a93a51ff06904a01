package io.svcproxy.apply.sysctl;

/**
 * kube-proxy's --conntrack-* settings. Zero leaves the corresponding sysctl alone.
 *
 * @param maxPerCore                 --conntrack-max-per-core (32768)
 * @param min                        --conntrack-min (131072)
 * @param tcpEstablishedTimeoutSeconds --conntrack-tcp-timeout-established (24h)
 * @param tcpCloseWaitTimeoutSeconds   --conntrack-tcp-timeout-close-wait (1h)
 */
public record ConntrackSysctlSettings(int maxPerCore, int min, int tcpEstablishedTimeoutSeconds,
                                      int tcpCloseWaitTimeoutSeconds) {
    public ConntrackSysctlSettings {
        if (maxPerCore < 0 || min < 0 || tcpEstablishedTimeoutSeconds < 0 || tcpCloseWaitTimeoutSeconds < 0) {
            throw new IllegalArgumentException("conntrack settings must not be negative");
        }
    }

    public static ConntrackSysctlSettings kubeProxyDefaults() {
        return new ConntrackSysctlSettings(32768, 131072, 86400, 3600);
    }

    /** nf_conntrack_max for this many cores: max(perCore * cores, min); 0 = leave alone. */
    public long conntrackMax(int cores) {
        if (maxPerCore == 0) {
            return 0;
        }
        return Math.max((long) maxPerCore * cores, min);
    }
}
