package io.svcproxy.cli;

/** Exit codes in the style of "terraform plan -detailed-exitcode". */
public final class ExitCodes {
    public static final int NO_CHANGES = 0;
    public static final int ERROR = 1;
    public static final int CHANGES = 2;

    private ExitCodes() {
    }
}
