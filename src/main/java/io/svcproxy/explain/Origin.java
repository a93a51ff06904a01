package io.svcproxy.explain;

/** Where the packet enters netfilter: routed in (a pod, another host: PREROUTING) or sent by the node itself (OUTPUT). */
public enum Origin {
    ROUTED("arrives on an interface (PREROUTING)"),
    LOCAL("sent by the node itself (OUTPUT)");

    private final String description;

    Origin(String description) {
        this.description = description;
    }

    public String description() {
        return description;
    }
}
