package io.svcproxy.netlink.ipvs;

import io.svcproxy.netlink.NetworkNamespaces;
import io.svcproxy.testing.NetNs;
import org.junit.jupiter.api.Test;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The IPVS client contract against the kernel: {@link NetlinkIpvsClient} in a fresh network namespace
 * per scenario (a dummy interface routing the destinations' subnets). Needs an IPVS kernel, so it
 * is no unit test: {@link #main} runs every scenario of {@link IpvsClientContract} inside the IPVS VM
 * (IpvsClientContractVmIT boots it), prints each result and "IPVS CONTRACT PASSED n scenarios", and
 * exits 1 when one failed (or none ran).
 */
public final class KernelIpvsClientContract extends IpvsClientContract {
    private NetNs ns;

    @Override
    IpvsClient open() {
        ns = NetNs.create();
        ns.runChecked("ip", "link", "set", "lo", "up");
        ns.runChecked("ip", "link", "add", "d0", "type", "dummy");
        ns.runChecked("ip", "addr", "add", "10.0.2.1/24", "dev", "d0");
        ns.runChecked("ip", "addr", "add", "fd00:1::1/64", "dev", "d0", "nodad");
        ns.runChecked("ip", "link", "set", "d0", "up");
        return NetworkNamespaces.callIn("/run/netns/" + ns.name(), NetlinkIpvsClient::open);
    }

    @Override
    void release() {
        if (ns != null) {
            ns.close();
            ns = null;
        }
    }

    /** The contract's scenarios, in a stable order. */
    static List<Method> scenarios() {
        return Arrays.stream(IpvsClientContract.class.getDeclaredMethods())
                .filter(m -> m.isAnnotationPresent(Test.class))
                .sorted(Comparator.comparing(Method::getName)).toList();
    }

    public static void main(String[] args) {
        System.out.println("kernel " + System.getProperty("os.version"));
        List<String> failed = new ArrayList<>();
        List<Method> scenarios = scenarios();
        for (Method m : scenarios) {
            KernelIpvsClientContract c = new KernelIpvsClientContract();
            try {
                c.openTable();
                try {
                    m.invoke(c);
                } finally {
                    c.closeTable();
                }
                System.out.println("ok: " + m.getName());
            } catch (Throwable e) {
                Throwable cause = e instanceof InvocationTargetException ite ? ite.getCause() : e;
                System.out.println("FAILED: " + m.getName() + ": " + cause);
                cause.printStackTrace(System.out);
                failed.add(m.getName());
            }
        }
        System.out.println(failed.isEmpty() && !scenarios.isEmpty()
                ? "IPVS CONTRACT PASSED " + scenarios.size() + " scenarios"
                : "IPVS CONTRACT FAILED " + failed.size() + " of " + scenarios.size() + ": " + failed);
        System.out.flush();
        System.exit(failed.isEmpty() && !scenarios.isEmpty() ? 0 : 1);
    }
}
