package io.svcproxy.dataplane;

import io.svcproxy.model.IpFamily;

/**
 * A sync failed on the kernel's side, in words every mode shares: either the kernel (or its tool)
 * refused a change, or the dataplane could not read or talk to it. Metrics count refusals per family
 * and kind of sync; the log shows {@link #context()} (e.g. the refused payload lines).
 */
public class DataplaneException extends RuntimeException {
    /** What went wrong. */
    public enum Kind {
        /** The kernel (or iptables-restore, ipset, ...) refused this change; nothing or part of it is in. */
        REFUSED,
        /** The kernel's state could not be read, or the tool or socket could not be talked to. */
        UNREACHABLE
    }

    private final Kind kind;
    private final String component;
    private final String context;
    private final IpFamily family;
    private final boolean partial;

    /**
     * @param component what failed, for operators: "iptables-restore", "iptables-save", "nf_tables"
     * @param context   extra lines for the log (the payload around a refused line), or ""
     * @param family    the family whose change failed, or null when not known
     * @param partial   failed in a partial sync (one that trusted the remembered state)
     */
    public DataplaneException(Kind kind, String component, String message, String context, IpFamily family,
                              boolean partial, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.component = component;
        this.context = context;
        this.family = family;
        this.partial = partial;
    }

    public Kind kind() {
        return kind;
    }

    public boolean refused() {
        return kind == Kind.REFUSED;
    }

    public String component() {
        return component;
    }

    public String context() {
        return context;
    }

    /** The family whose change failed; null when not known. */
    public IpFamily family() {
        return family;
    }

    /** Failed in a partial sync (one that trusted the remembered state instead of reading the kernel). */
    public boolean partial() {
        return partial;
    }
}
