package io.svcproxy.netlink.nftables;

import io.svcproxy.netlink.NetlinkSocket;
import io.svcproxy.nftables.NftApplyException;
import io.svcproxy.nftables.NftOp;

import java.util.List;

/**
 * Maps the kernel's answers to a batch back to the ops: the first refused message (in batch
 * order, which is the order the kernel processed them) names its op; a message of an anonymous
 * set belongs to the rule it was sent for. Errors after the first are often consequences of it
 * (the kernel keeps going to report them all), so only the first is reported.
 */
final class NftBatchErrors {
    private NftBatchErrors() {
    }

    /** The exception to throw, or null when every message was acknowledged. */
    static NftApplyException firstRefusal(List<NftOp> ops, NftBatchEncoder.Batch batch, int[] answers) {
        int refused = 0;
        int first = -1;
        boolean missing = false;
        for (int i = 0; i < answers.length; i++) {
            if (answers[i] > 0) {
                refused++;
                if (first < 0) {
                    first = i;
                }
            } else if (answers[i] == NetlinkSocket.NO_ANSWER && batch.opIndex().get(i) >= 0) {
                missing = true;
            }
        }
        if (first < 0) {
            if (missing) {
                return new NftApplyException("nf_tables batch of " + ops.size()
                        + " ops: the kernel did not answer every message", null, 0);
            }
            return null;
        }
        int errno = answers[first];
        int opIndex = batch.opIndex().get(first);
        String more = refused > 1 ? " (and " + (refused - 1) + " later message(s) refused)" : "";
        if (opIndex < 0) {
            return new NftApplyException("nf_tables batch refused: " + errnoName(errno) + more, null, errno);
        }
        NftOp op = ops.get(opIndex);
        return new NftApplyException(NftOpText.describe(op) + ": " + errnoName(errno) + more, op, errno);
    }

    static String errnoName(int errno) {
        try {
            jnr.constants.platform.Errno e = jnr.constants.platform.Errno.valueOf(errno);
            if (e != null && e != jnr.constants.platform.Errno.__UNKNOWN_CONSTANT__) {
                return e.name();
            }
        } catch (RuntimeException | LinkageError ex) {
            // fall through to the number
        }
        return "errno " + errno;
    }
}
