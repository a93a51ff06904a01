package io.svcproxy.apply;

import io.svcproxy.dataplane.DataplaneException;
import io.svcproxy.model.IpFamily;

/**
 * iptables-restore refused a payload. Carries the failing line number (0 when unknown) and the
 * payload lines around it, so the log shows what was refused.
 */
public final class RestoreException extends DataplaneException {
    private final int line;

    public RestoreException(String message, int line, String context) {
        this(message, line, context, null, false);
    }

    private RestoreException(String message, int line, String context, IpFamily family, boolean partial) {
        super(Kind.REFUSED, "iptables-restore", message, context, family, partial, null);
        this.line = line;
    }

    /** The same failure, tagged with the family and the kind of sync it happened in (for metrics). */
    public RestoreException in(IpFamily family, boolean partial) {
        RestoreException tagged = new RestoreException(getMessage(), line, context(), family, partial);
        tagged.setStackTrace(getStackTrace());
        return tagged;
    }

    public int line() {
        return line;
    }
}
