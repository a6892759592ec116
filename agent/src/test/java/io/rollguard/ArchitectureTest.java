package io.rollguard;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package structure of DESIGN.md's flow, pinned: configuration is read, inputs (samplers, checks, sources) write
 * the store, rules read it and start actions and journal entries, deployments and incidents build on rules, the tick
 * publishes, HTTP serves what it published, and only the composition root and the CLI see everything.
 */
class ArchitectureTest {
    private static JavaClasses classes;

    @BeforeAll
    static void importMainClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.rollguard");
    }

    @Test
    void noPackageCycles() {
        slices().matching("io.rollguard.(**)").should().beFreeOfCycles().check(classes);
    }

    @Test
    void layersDependOnlyDownwards() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("Foundation").definedBy("io.rollguard.common..", "io.rollguard.time..", "io.rollguard.store..",
                        "io.rollguard.health..", "io.rollguard.systemd..", "io.rollguard.work..")
                .layer("Expressions").definedBy("io.rollguard.rule.expr..")
                .layer("Config").definedBy("io.rollguard.config..")
                .layer("Programs").definedBy("io.rollguard.process..")
                .layer("Inputs").definedBy("io.rollguard.sample..", "io.rollguard.check..", "io.rollguard.source..")
                .layer("Effects").definedBy("io.rollguard.action..", "io.rollguard.journal..")
                .layer("Rules").definedBy("io.rollguard.rule")
                .layer("Deployments").definedBy("io.rollguard.deploy..", "io.rollguard.incident..")
                .layer("Publishing").definedBy("io.rollguard.metrics..", "io.rollguard.schedule..")
                .layer("Serving").definedBy("io.rollguard.http..")
                .layer("Wiring").definedBy("io.rollguard", "io.rollguard.cli..", "io.rollguard.logging..")
                .whereLayer("Foundation").mayNotAccessAnyLayer()
                .whereLayer("Expressions").mayOnlyAccessLayers("Foundation")
                .whereLayer("Config").mayOnlyAccessLayers("Foundation", "Expressions")
                .whereLayer("Programs").mayOnlyAccessLayers("Foundation", "Config")
                .whereLayer("Inputs").mayOnlyAccessLayers("Foundation", "Config", "Programs")
                .whereLayer("Effects").mayOnlyAccessLayers("Foundation", "Config", "Programs")
                .whereLayer("Rules").mayOnlyAccessLayers("Foundation", "Expressions", "Config", "Inputs", "Effects")
                .whereLayer("Deployments").mayOnlyAccessLayers("Foundation", "Expressions", "Config", "Effects",
                        "Rules")
                .whereLayer("Publishing").mayOnlyAccessLayers("Foundation", "Expressions", "Config", "Inputs",
                        "Rules", "Deployments")
                .whereLayer("Serving").mayOnlyAccessLayers("Foundation", "Expressions", "Config", "Effects", "Rules",
                        "Deployments", "Publishing")
                .check(classes);
    }
}
