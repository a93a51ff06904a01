package io.svcproxy.explain.iptables;

/** The result of one match of a rule against a flow. */
public sealed interface Test {
    Test YES = new Yes();
    Test NO = new No();

    record Yes() implements Test {
    }

    record No() implements Test {
    }

    /** Needs state or facts we do not have: the rule is shown as not evaluated and taken as not matching. */
    record Unknown(String why) implements Test {
    }

    /** Matches with probability p (statistic random). */
    record Random(double p) implements Test {
    }

    static Test of(boolean b) {
        return b ? YES : NO;
    }
}
