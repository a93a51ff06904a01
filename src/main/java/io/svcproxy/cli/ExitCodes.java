package io.svcproxy.cli;

/** Exit codes: plan's in the style of "terraform plan -detailed-exitcode"; explain's say the verdict. */
public final class ExitCodes {
    public static final int NO_CHANGES = 0;
    public static final int ERROR = 1;
    public static final int CHANGES = 2;
    /** explain: the packet reaches a service endpoint. */
    public static final int DELIVERED = 0;
    /** explain: the packet is rejected. */
    public static final int REJECTED = 3;
    /** explain: the packet is dropped. */
    public static final int DROPPED = 4;
    /** explain: the destination is not a service address here (nothing rewrites the packet). */
    public static final int NOT_A_SERVICE = 5;

    private ExitCodes() {
    }
}
