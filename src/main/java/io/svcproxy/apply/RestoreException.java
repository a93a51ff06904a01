package io.svcproxy.apply;

import io.svcproxy.model.IpFamily;

/**
 * iptables-restore refused a payload. Carries the failing line number (0 when unknown) and the
 * payload lines around it, so the log shows what was refused.
 */
public final class RestoreException extends RuntimeException {
    private final int line;
    private final String context;
    private final IpFamily family;
    private final boolean partial;

    public RestoreException(String message, int line, String context) {
        this(message, line, context, null, false);
    }

    private RestoreException(String message, int line, String context, IpFamily family, boolean partial) {
        super(message);
        this.line = line;
        this.context = context;
        this.family = family;
        this.partial = partial;
    }

    /** The same failure, tagged with the family and the kind of sync it happened in (for metrics). */
    public RestoreException in(IpFamily family, boolean partial) {
        RestoreException tagged = new RestoreException(getMessage(), line, context, family, partial);
        tagged.setStackTrace(getStackTrace());
        return tagged;
    }

    /** The family whose payload was refused; null when not known. */
    public IpFamily family() {
        return family;
    }

    /** Refused in a partial sync (one that trusted the remembered state instead of reading the kernel). */
    public boolean partial() {
        return partial;
    }

    public int line() {
        return line;
    }

    public String context() {
        return context;
    }
}
