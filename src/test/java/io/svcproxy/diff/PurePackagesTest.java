package io.svcproxy.diff;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/** The pure packages compute; they never talk to the kernel, the cluster, or a logger. */
class PurePackagesTest {

    @Test
    void diffAndIptablesPackagesArePure() {
        JavaClasses classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.svcproxy.diff", "io.svcproxy.iptables");
        noClasses().should().dependOnClassesThat().resideInAnyPackage("io.fabric8..", "jnr..", "org.slf4j..", "ch.qos.logback..")
                .orShould().dependOnClassesThat().haveFullyQualifiedName(ProcessBuilder.class.getName())
                .orShould().dependOnClassesThat().haveFullyQualifiedName(Process.class.getName())
                .orShould().dependOnClassesThat().resideInAnyPackage("java.net..")
                .check(classes);
    }
}
