package io.svcproxy.arch;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.properties.HasName.Predicates.nameMatching;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The one-way flow source -> model -> plan -> diff -> apply, with the sync loop and what watches it
 * (metrics, health) on the far side of the {@code dataplane} seam, knowing no proxy mode. Only the
 * wiring (cli) sees every package; it is the one place a mode is chosen.
 */
class LayeringTest {
    private static final String P = "io.svcproxy.";

    /** What is specific to one proxy mode: its kernel vocabulary, planner, diff and applier. */
    private static final String[] MODE_SPECIFIC = {
        P + "apply..", P + "iptables..", P + "ipvs..", P + "ipset..", P + "nftables..", P + "netlink..",
        P + "plan.ipvs..", P + "plan.nftables..", P + "diff.."
    };

    private final JavaClasses classes = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.svcproxy");

    @Test
    void noCyclesBetweenTopLevelPackages() {
        slices().matching("io.svcproxy.(*)..").should().beFreeOfCycles().check(classes);
    }

    @Test
    void noCyclesBetweenAnyTwoPackages() {
        slices().matching("io.svcproxy.(**)").should().beFreeOfCycles().check(classes);
    }

    @Test
    void theModelDependsOnNothingOfOurs() {
        noClasses().that().resideInAPackage(P + "model..")
                .should().dependOnClassesThat(resideInAPackage("io.svcproxy..").and(not(resideInAPackage(P + "model.."))))
                .check(classes);
    }

    @Test
    void theJsonQuoterDependsOnNothingOfOurs() {
        noClasses().that().resideInAPackage(P + "json..")
                .should().dependOnClassesThat(resideInAPackage("io.svcproxy..").and(not(resideInAPackage(P + "json.."))))
                .because("explain (pure) and health (the daemon's side) both quote with it")
                .check(classes);
    }

    @Test
    void theSourceOnlyProducesTheModel() {
        noClasses().that().resideInAPackage(P + "source..")
                .should().dependOnClassesThat(resideInAPackage("io.svcproxy..")
                        .and(not(resideInAnyPackage(P + "source..", P + "model.."))))
                .because("the source turns Kubernetes objects into snapshots and knows nothing downstream")
                .check(classes);
    }

    @Test
    void planningKnowsNeitherDiffNorApplyNorTheDaemon() {
        noClasses().that().resideInAPackage(P + "plan..")
                .should().dependOnClassesThat().resideInAnyPackage(P + "diff..", P + "apply..", P + "dataplane..",
                        P + "reconcile..", P + "source..", P + "config..", P + "cli..", P + "netlink..",
                        P + "metrics..", P + "health..")
                .check(classes);
    }

    @Test
    void diffingKnowsNeitherApplyNorTheDaemon() {
        noClasses().that().resideInAPackage(P + "diff..")
                .should().dependOnClassesThat().resideInAnyPackage(P + "apply..", P + "dataplane..",
                        P + "reconcile..", P + "source..", P + "config..", P + "cli..", P + "netlink..",
                        P + "metrics..", P + "health..")
                .check(classes);
    }

    @Test
    void applyingKnowsNeitherTheLoopNorTheSourceNorTheConfig() {
        noClasses().that().resideInAPackage(P + "apply..")
                .should().dependOnClassesThat().resideInAnyPackage(P + "reconcile..", P + "source..",
                        P + "config..", P + "cli..", P + "metrics..", P + "health..")
                .because("a dataplane takes snapshots through model.SnapshotSupplier and reports through the seam")
                .check(classes);
    }

    @Test
    void explainingKnowsNeitherApplyNorTheKernelNorTheDaemon() {
        noClasses().that().resideInAPackage(P + "explain..")
                .should().dependOnClassesThat().resideInAnyPackage(P + "apply..", P + "netlink..", P + "dataplane..",
                        P + "reconcile..", P + "source..", P + "config..", P + "cli..", P + "diff..",
                        P + "metrics..", P + "health..")
                .because("explain walks rules it is handed; the cli reads the kernel or plans them")
                .check(classes);
    }

    @Test
    void theSeamDependsOnlyOnTheModel() {
        noClasses().that().resideInAPackage(P + "dataplane..")
                .should().dependOnClassesThat(resideInAPackage("io.svcproxy..")
                        .and(not(resideInAnyPackage(P + "dataplane..", P + "model.."))))
                .check(classes);
    }

    @Test
    void theLoopMetricsAndHealthKnowNoMode() {
        noClasses().that().resideInAnyPackage(P + "reconcile..", P + "metrics..", P + "health..")
                .should().dependOnClassesThat().resideInAnyPackage(MODE_SPECIFIC)
                .orShould().dependOnClassesThat(resideInAPackage(P + "plan")
                        .and(not(nameMatching("io\\.svcproxy\\.plan\\.HealthCheckPorts(\\$.*)?"))))
                .because("they see a mode only through dataplane.Dataplane and its reports "
                        + "(HealthCheckPorts is the mode-neutral reading of a snapshot's health-check ports)")
                .check(classes);
    }

    @Test
    void theDaemonCommandKnowsNoMode() {
        noClasses().that().haveSimpleName("RunCommand").or().haveSimpleName("DaemonEndpoints")
                .should().dependOnClassesThat(resideInAnyPackage(MODE_SPECIFIC)
                        .and(not(resideInAPackage(P + "apply.sysctl.."))))
                .orShould().dependOnClassesThat().resideInAPackage(P + "plan..")
                .because("cli.Dataplanes chooses the mode; run only drives the loop over a Dataplane "
                        + "(the node's sysctls, apply.sysctl, are every mode's)")
                .check(classes);
    }
}
