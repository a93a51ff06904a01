package io.svcproxy.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The pipeline's pure core (model, iptables text, plan, diff) must stay pure: no Kubernetes client,
 * no native calls, no processes, sockets or files, no logging. It returns values, warnings included,
 * which is what makes it golden-file and property testable.
 */
class PurePackagesTest {
    private static final String[] PURE = {
        "io.svcproxy.model..", "io.svcproxy.iptables..", "io.svcproxy.plan..", "io.svcproxy.diff..",
        // IPVS mode: the shared value types (this package only: the netlink applier lives elsewhere),
        // the ipsets, and plan.ipvs / diff.ipvs (covered above)
        "io.svcproxy.ipvs", "io.svcproxy.ipset..",
        // nftables mode: the value types, ops and simulator (the netlink kernel lives in netlink.nftables)
        "io.svcproxy.nftables",
        // explain: walks rules held as values; reading the kernel and printing are the cli's
        "io.svcproxy.explain..",
        // the JSON string quoter explain and health share
        "io.svcproxy.json.."
    };

    private final JavaClasses classes = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.svcproxy");

    @Test
    void pureCoreDoesNotTouchTheOutsideWorld() {
        noClasses().that().resideInAnyPackage(PURE)
                .should().dependOnClassesThat().resideInAnyPackage(
                        "io.fabric8..", "jnr..", "org.slf4j..", "ch.qos.logback..",
                        "java.net.http..", "java.nio.channels..", "java.nio.file..", "java.io.File..")
                .because("the pure core returns values and never does I/O or logs")
                .check(classes);
    }

    @Test
    void pureCoreStartsNoProcessesAndOpensNoSockets() {
        noClasses().that().resideInAnyPackage(PURE)
                .should().dependOnClassesThat().haveFullyQualifiedName("java.lang.ProcessBuilder")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.lang.Process")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.lang.Runtime")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.net.Socket")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.net.ServerSocket")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.io.FileInputStream")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.io.FileOutputStream")
                .check(classes);
    }

    @Test
    void fabric8StaysInTheSourcePackage() {
        noClasses().that().resideOutsideOfPackages("io.svcproxy.source..")
                .should().dependOnClassesThat().resideInAnyPackage("io.fabric8..")
                .because("nothing downstream of the source sees Kubernetes client types")
                .check(classes);
    }
}
