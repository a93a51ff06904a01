package io.svcproxy.apply.sysctl;

/** A sysctl could not be read or written. */
public class SysctlException extends RuntimeException {
    public SysctlException(String message, Throwable cause) {
        super(message, cause);
    }
}
