package net.l2sec.dataplane;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The boundaries {@code package-info} promises: no AAA protocol code in the packet path, no package cycles. */
@AnalyzeClasses(packages = "net.l2sec.dataplane", importOptions = ImportOption.DoNotIncludeTests.class)
class DataplaneArchitectureTest {
    @ArchTest
    static final ArchRule noRadiusOrLdap = noClasses().that().resideInAPackage("net.l2sec.dataplane..")
            .should().dependOnClassesThat().resideInAnyPackage("org.tinyradius..", "org.apache.directory..");

    /** IKE hands ESP its SAs through the {@code ipsec} contract only, and ESP knows nothing of IKE. */
    @ArchTest
    static final ArchRule ikeNeverImportsEsp = noClasses().that().resideInAPackage("net.l2sec.dataplane.ike..")
            .should().dependOnClassesThat().resideInAPackage("net.l2sec.dataplane.esp..");

    @ArchTest
    static final ArchRule espNeverImportsIke = noClasses().that().resideInAPackage("net.l2sec.dataplane.esp..")
            .should().dependOnClassesThat().resideInAPackage("net.l2sec.dataplane.ike..");

    @ArchTest
    static final ArchRule noPackageCycles = slices().matching("net.l2sec.dataplane.(**)").should().beFreeOfCycles();
}
