package net.l2sec.aaa;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * AAA backends decide; they never touch the dataplane's Netty channels (see {@code package-info}), and of this
 * project they know only the contracts in module {@code spi}.
 */
@AnalyzeClasses(packages = "net.l2sec.aaa", importOptions = ImportOption.DoNotIncludeTests.class)
class AaaArchitectureTest {
    @ArchTest
    static final ArchRule noNettyChannels = noClasses().that().resideInAPackage("net.l2sec.aaa..")
            .should().dependOnClassesThat().resideInAPackage("io.netty.channel..");

    @ArchTest
    static final ArchRule onlyTheSpi = noClasses().that().resideInAPackage("net.l2sec.aaa..")
            .should().dependOnClassesThat(JavaClass.Predicates.resideInAPackage("net.l2sec..")
                    .and(JavaClass.Predicates.resideOutsideOfPackages("net.l2sec.aaa..", "net.l2sec.spi..")));
}
