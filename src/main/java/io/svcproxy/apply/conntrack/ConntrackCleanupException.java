package io.svcproxy.apply.conntrack;

/** Conntrack entries could not be listed or deleted (netlink error, tool failure). */
public class ConntrackCleanupException extends RuntimeException {
    public ConntrackCleanupException(String message, Throwable cause) {
        super(message, cause);
    }
}
