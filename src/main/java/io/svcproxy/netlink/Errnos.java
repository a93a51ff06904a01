package io.svcproxy.netlink;

/** Readable names and texts for Linux errno values (jnr-constants knows the platform's table). */
final class Errnos {
    private Errnos() {
    }

    static String name(int errno) {
        jnr.constants.platform.Errno e = lookup(errno);
        return e == null ? "errno " + errno : e.name();
    }

    /** "ENOENT (No such file or directory)". */
    static String describe(int errno) {
        jnr.constants.platform.Errno e = lookup(errno);
        return e == null ? "errno " + errno : e.name() + " (" + e.description() + ")";
    }

    private static jnr.constants.platform.Errno lookup(int errno) {
        try {
            jnr.constants.platform.Errno e = jnr.constants.platform.Errno.valueOf(errno);
            return e == null || e == jnr.constants.platform.Errno.__UNKNOWN_CONSTANT__ ? null : e;
        } catch (RuntimeException | LinkageError ex) {
            return null;
        }
    }
}
