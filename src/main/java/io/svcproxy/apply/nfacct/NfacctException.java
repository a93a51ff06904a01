package io.svcproxy.apply.nfacct;

/** An nfacct counter could not be created. */
public class NfacctException extends RuntimeException {
    public NfacctException(String message, Throwable cause) {
        super(message, cause);
    }
}
