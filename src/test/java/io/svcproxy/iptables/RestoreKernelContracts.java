package io.svcproxy.iptables;

import io.svcproxy.testing.IptablesTool;
import io.svcproxy.testing.NetNs;

import java.util.ArrayList;
import java.util.List;

/** The restore contract against a real iptables-restore, each run in its own throw-away network namespace. */
final class RestoreKernelContracts {
    private RestoreKernelContracts() {
    }

    static RestoreContract.Outcome run(IptablesTool tool, String base, String payload, boolean noflush) {
        try (NetNs ns = NetNs.create()) {
            ns.runChecked(List.of(tool.restore, "-w"), base);
            List<String> argv = new ArrayList<>(List.of(tool.restore, "-w"));
            if (noflush) {
                argv.add("--noflush");
            }
            NetNs.Result r = ns.run(argv, payload);
            Ruleset after = SaveParser.parse(tool.family, ns.runChecked(tool.save));
            return new RestoreContract.Outcome(after, r.exitCode() == 0 ? null
                    : "exit " + r.exitCode() + ": " + r.stderr().trim());
        }
    }
}
