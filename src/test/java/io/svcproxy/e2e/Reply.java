package io.svcproxy.e2e;

/**
 * The result of one {@link E2eCluster#request}: the pod that answered and the client address it saw,
 * or how the request failed. {@code detail} is the raw client output, for failure messages.
 */
public record Reply(Outcome outcome, String pod, String clientAddress, String detail) {
    public enum Outcome {
        /** A pod answered. */
        ANSWERED,
        /** Rejected at once: TCP RST, or ICMP port / admin-prohibited unreachable. */
        REFUSED,
        /** No answer within the timeout (dropped, or nothing there). */
        TIMEOUT,
        /** Anything else (host/net unreachable, a client error). */
        OTHER
    }

    public static Reply answered(String pod, String clientAddress, String detail) {
        return new Reply(Outcome.ANSWERED, pod, clientAddress, detail);
    }

    public static Reply failed(Outcome outcome, String detail) {
        return new Reply(outcome, null, null, detail);
    }

    public boolean answered() {
        return outcome == Outcome.ANSWERED;
    }

    @Override
    public String toString() {
        return answered() ? pod + " (saw " + clientAddress + ")" : outcome + " [" + detail + "]";
    }
}
