package io.svcproxy.it;


/**
 * A test tool, not a unit test: runs {@link IpvsExplainScenarios} (explain --live and --cluster in IPVS
 * mode against real packets) as root inside the IPVS VM, where ExplainIpvsTrafficVmIT starts it.
 * Prints "IPVS EXPLAIN SELFTEST PASSED" and exits 0, or exits 1 at the first failed check; the
 * namespaces and processes are removed either way.
 *
 * <p>Argument: the packaged jar.
 */
public final class ExplainIpvsTrafficVmSelfTest {
    private ExplainIpvsTrafficVmSelfTest() {
    }

    public static void main(String[] args) {
        System.setProperty(SvcproxyJar.PROPERTY, args[0]);
        System.out.println("kernel " + System.getProperty("os.version") + ", jar " + args[0]);
        IpvsExplainScenarios scenarios = new IpvsExplainScenarios();
        int rc = 0;
        try {
            scenarios.realPacketsGoWhereExplainSays();
        } catch (Throwable e) {
            System.out.println("IPVS EXPLAIN SELFTEST FAILED: " + e);
            e.printStackTrace(System.out);
            rc = 1;
        } finally {
            try {
                scenarios.tearDown();
            } catch (Throwable e) {
                System.out.println("IPVS EXPLAIN SELFTEST FAILED in the teardown: " + e);
                rc = 1;
            }
        }
        if (rc == 0) {
            System.out.println("IPVS EXPLAIN SELFTEST PASSED");
        }
        System.out.flush();
        System.exit(rc);
    }
}
