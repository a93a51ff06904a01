package io.svcproxy.ipvs;

/** One IPVS operation was refused; {@code applied} operations before it are in the kernel. */
public final class IpvsApplyException extends RuntimeException {
    private final transient IpvsOp op;
    private final int applied;

    public IpvsApplyException(IpvsOp op, int applied, RuntimeException cause) {
        super("IPVS operation " + (applied + 1) + " failed: " + op + ": " + cause.getMessage(), cause);
        this.op = op;
        this.applied = applied;
    }

    public IpvsOp op() {
        return op;
    }

    public int applied() {
        return applied;
    }
}
