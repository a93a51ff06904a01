package io.svcproxy.iptables;

import io.svcproxy.model.IpFamily;

/** The restore contract against {@link RestoreSimulator} (what FakeIptables runs every payload through). */
class RestoreSimulatorContractTest extends RestoreContract {
    @Override
    Outcome run(String base, String payload, boolean noflush) {
        Ruleset before = RestoreSimulator.apply(Ruleset.empty(IpFamily.V4), base, false);
        try {
            return new Outcome(RestoreSimulator.apply(before, payload, noflush), null);
        } catch (SaveParseException e) {
            return new Outcome(before, e.getMessage());
        }
    }
}
