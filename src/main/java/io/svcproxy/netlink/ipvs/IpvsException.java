package io.svcproxy.netlink.ipvs;

import io.svcproxy.netlink.NetlinkConstants;
import io.svcproxy.netlink.NetlinkException;

/**
 * An IPVS command the kernel refused, typed by the errno callers branch on. The kernel's meanings
 * (net/netfilter/ipvs/ip_vs_ctl.c): adding a service or destination that exists is EEXIST; any
 * command naming a service that does not exist is ESRCH (deleting one included); changing or
 * deleting a destination that does not exist, or naming an unknown scheduler, is ENOENT.
 * {@link FakeIpvsClient}-style fakes throw the same types.
 */
public class IpvsException extends NetlinkException {

    public IpvsException(String operation, int errno) {
        super(operation, errno);
    }

    /** The typed exception for a failed IPVS command. */
    public static IpvsException of(String operation, int errno) {
        return switch (errno) {
            case NetlinkConstants.EEXIST -> new AlreadyExists(operation);
            case NetlinkConstants.ESRCH -> new NoSuchService(operation);
            case NetlinkConstants.ENOENT -> new NotFound(operation);
            default -> new IpvsException(operation, errno);
        };
    }

    /** EEXIST: the service or destination is already there. */
    public static final class AlreadyExists extends IpvsException {
        public AlreadyExists(String operation) {
            super(operation, NetlinkConstants.EEXIST);
        }
    }

    /** ESRCH: the virtual service named by the command does not exist. */
    public static final class NoSuchService extends IpvsException {
        public NoSuchService(String operation) {
            super(operation, NetlinkConstants.ESRCH);
        }
    }

    /** ENOENT: the destination does not exist (or the scheduler module is unknown). */
    public static final class NotFound extends IpvsException {
        public NotFound(String operation) {
            super(operation, NetlinkConstants.ENOENT);
        }
    }
}
