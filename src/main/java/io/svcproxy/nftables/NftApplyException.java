package io.svcproxy.nftables;

/**
 * The kernel refused an nf_tables batch (nothing of it was applied). Names the op the kernel's
 * error points at, so the log says which object of which service caused it.
 */
public final class NftApplyException extends RuntimeException {
    private final transient NftOp op;
    private final int errno;

    public NftApplyException(String message, NftOp op, int errno, Throwable cause) {
        super(message, cause);
        this.op = op;
        this.errno = errno;
    }

    public NftApplyException(String message, NftOp op, int errno) {
        this(message, op, errno, null);
    }

    /** The op the kernel's error refers to, or null if the error could not be tied to one. */
    public NftOp op() {
        return op;
    }

    /** The kernel's errno (positive), or 0 if the failure was not a kernel refusal. */
    public int errno() {
        return errno;
    }
}
