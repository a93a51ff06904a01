package io.svcproxy.config;

/** How traffic from local pods is recognised (kube-proxy --detect-local-mode); "" means ClusterCIDR. */
public enum DetectLocalMode {
    CLUSTER_CIDR("ClusterCIDR"), NODE_CIDR("NodeCIDR"), BRIDGE_INTERFACE("BridgeInterface"),
    INTERFACE_NAME_PREFIX("InterfaceNamePrefix");

    private final String configName;

    DetectLocalMode(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }

    public static DetectLocalMode parse(String text) {
        if (text == null || text.isEmpty()) {
            return CLUSTER_CIDR;
        }
        for (DetectLocalMode m : values()) {
            if (m.configName.equals(text)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown detect-local mode '" + text
                + "' (expected ClusterCIDR, NodeCIDR, BridgeInterface or InterfaceNamePrefix)");
    }
}
