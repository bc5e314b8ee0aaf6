package io.netwharf.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The packages depend downward only (ARCHITECTURE.md): launcher → gateway → container → the embedded API →
 * cluster → runtime → events → sandbox → network (and its drivers) → ipam, firewall, dns → actor → kernel → protocol. Pure code; no root.
 */
class LayersTest {
    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.netwharf");

    @Test
    void noPackageCycles() {
        slices().matching("io.netwharf.(**)").should().beFreeOfCycles().check(CLASSES);
    }

    @Test
    void layersAreReachedFromAboveOnly() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("launcher").definedBy("io.netwharf.launcher..")
                .layer("gateway").definedBy("io.netwharf.gateway..")
                .layer("container").definedBy("io.netwharf.container..")
                .layer("embedded API").definedBy("io.netwharf")
                .layer("cluster").definedBy("io.netwharf.cluster..")
                .layer("runtime").definedBy("io.netwharf.runtime..")
                .layer("events").definedBy("io.netwharf.events..")
                .layer("sandbox").definedBy("io.netwharf.sandbox..")
                .layer("network").definedBy("io.netwharf.network..")
                .layer("ipam").definedBy("io.netwharf.ipam..")
                .layer("firewall").definedBy("io.netwharf.firewall..")
                .layer("dns").definedBy("io.netwharf.dns..")
                .layer("store").definedBy("io.netwharf.store..")
                .layer("actor").definedBy("io.netwharf.actor..")
                .layer("kernel").definedBy("io.netwharf.kernel..")
                .layer("protocol").definedBy("io.netwharf.protocol..")
                .whereLayer("launcher").mayNotBeAccessedByAnyLayer()
                .whereLayer("gateway").mayOnlyBeAccessedByLayers("launcher")
                .whereLayer("container").mayOnlyBeAccessedByLayers("launcher", "gateway")
                .whereLayer("embedded API").mayOnlyBeAccessedByLayers("launcher", "gateway", "container")
                .whereLayer("cluster").mayOnlyBeAccessedByLayers("launcher", "embedded API")
                .whereLayer("runtime").mayOnlyBeAccessedByLayers("launcher", "gateway", "container", "embedded API", "cluster")
                .whereLayer("events").mayOnlyBeAccessedByLayers("launcher", "gateway", "container", "embedded API", "cluster", "runtime")
                .whereLayer("sandbox").mayOnlyBeAccessedByLayers("runtime")
                .whereLayer("network").mayOnlyBeAccessedByLayers("launcher", "cluster", "runtime", "sandbox")
                .whereLayer("ipam").mayOnlyBeAccessedByLayers("launcher", "gateway", "cluster", "runtime", "sandbox", "network")
                .whereLayer("firewall").mayOnlyBeAccessedByLayers("runtime", "network")
                .whereLayer("dns").mayOnlyBeAccessedByLayers("runtime")
                .whereLayer("store").mayOnlyBeAccessedByLayers("launcher", "gateway", "container", "embedded API", "cluster", "runtime",
                        "sandbox", "network")
                .whereLayer("actor").mayOnlyBeAccessedByLayers("launcher", "gateway", "container", "embedded API", "cluster", "runtime",
                        "sandbox", "network", "ipam", "firewall", "store")
                .whereLayer("kernel").mayOnlyBeAccessedByLayers("launcher", "gateway", "container", "embedded API", "cluster", "runtime",
                        "sandbox", "network", "ipam", "firewall", "dns", "actor", "store")
                .check(CLASSES);
    }
}
