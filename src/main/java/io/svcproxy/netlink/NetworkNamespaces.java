package io.svcproxy.netlink;

import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs work inside another network namespace. The namespace is a per-thread property in Linux, so
 * the work runs on a fresh thread that enters the namespace (setns) first and then ends, leaving
 * every other thread where it was. Sockets opened there stay in that namespace after the thread ends.
 */
public final class NetworkNamespaces {
    private NetworkNamespaces() {
    }

    /** Runs {@code work} in the namespace named by {@code nsFile} (e.g. /run/netns/NAME) and returns its result. */
    public static <T> T callIn(String nsFile, Callable<T> work) {
        NativeGateway gateway = NativeGateway.load();
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread thread = new Thread(() -> {
            try {
                gateway.enterNetworkNamespace(nsFile);
                result.set(work.call());
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "netns-" + nsFile);
        thread.setDaemon(true);
        thread.start();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for work in " + nsFile, e);
        }
        Throwable t = failure.get();
        if (t instanceof RuntimeException re) {
            throw re;
        }
        if (t instanceof Error err) {
            throw err;
        }
        if (t != null) {
            throw new IllegalStateException("work in " + nsFile + " failed: " + t, t);
        }
        return result.get();
    }
}
