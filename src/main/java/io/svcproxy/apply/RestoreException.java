package io.svcproxy.apply;

/**
 * iptables-restore refused a payload. Carries the failing line number (0 when unknown) and the
 * payload lines around it, so the log shows what was refused.
 */
public final class RestoreException extends RuntimeException {
    private final int line;
    private final String context;

    public RestoreException(String message, int line, String context) {
        super(message);
        this.line = line;
        this.context = context;
    }

    public int line() {
        return line;
    }

    public String context() {
        return context;
    }
}
