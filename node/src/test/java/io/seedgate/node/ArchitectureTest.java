package io.seedgate.node;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import io.seedgate.common.lifecycle.NodeState;
import io.vertx.core.shareddata.SharedData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.WeakHashMap;

import static com.tngtech.archunit.core.domain.AccessTarget.Predicates.declaredIn;
import static com.tngtech.archunit.core.domain.JavaCall.Predicates.target;
import static com.tngtech.archunit.core.domain.properties.HasName.Predicates.name;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noFields;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The architecture, checked on the main classes of every module the node is built from (the bench, a tool beside
 * them, is not on this class path):
 * <ul>
 *   <li>no cycle between the packages of one module;</li>
 *   <li>Vert.x's internal API ({@code io.vertx.core.internal}, which Vert.x does not promise to keep) used only in
 *       the adapter packages {@code io.seedgate.*.vertx}, whose {@code VertxAdaptersTest}s exercise it;</li>
 *   <li>node-wide state only through {@code NodeState}: no static {@code WeakHashMap} registry, and no other class
 *       that opens a Vert.x local map;</li>
 *   <li>no arrow going up between modules: gateway-common depends on no other module, the three roles (gateway,
 *       router, persistence) not on each other, and only the node sees them all;</li>
 *   <li>the flush's own RESP connection ({@code io.seedgate.persistence.resp}) used only by the persistence
 *       package, and opened only by {@code FlushConnection}: the rest talks to Redis through the Vert.x client.</li>
 * </ul>
 */
class ArchitectureTest {

  /** The main classes only: neither this module's tests nor the gateway's test jar on this class path. */
  private static final ImportOption MAIN_ONLY = location -> !location.contains("/test-classes/")
    && !location.contains("-tests.jar");

  private static final String COMMON = "io.seedgate.common..";
  private static final String GATEWAY = "io.seedgate.gateway..";
  private static final String ROUTER = "io.seedgate.router..";
  private static final String PERSISTENCE = "io.seedgate.persistence..";
  private static final String NODE = "io.seedgate.node..";
  private static final String DEV = "io.seedgate.dev..";
  private static final String EXAMPLES = "io.seedgate.examples..";
  private static final String PERSISTENCE_ROOT = "io.seedgate.persistence";
  private static final String RESP = "io.seedgate.persistence.resp";

  private static JavaClasses classes;

  @BeforeAll
  static void load() {
    classes = new ClassFileImporter().withImportOption(MAIN_ONLY).importPackages("io.seedgate");
  }

  @ParameterizedTest
  @ValueSource(strings = {"io.seedgate.common", "io.seedgate.gateway", "io.seedgate.router", "io.seedgate.persistence",
    "io.seedgate.node"})
  void noPackageCycleWithinAModule(String module) {
    slices().assignedFrom(packagesOf(module)).should().beFreeOfCycles().check(classes);
  }

  @Test
  void vertxInternalsOnlyInTheAdapterPackages() {
    noClasses().that().resideOutsideOfPackages("io.seedgate.common.vertx", "io.seedgate.gateway.vertx",
        "io.seedgate.persistence.vertx")
      .should().dependOnClassesThat().resideInAPackage("io.vertx.core.internal..")
      .because("Vert.x does not promise to keep its internal API: it is wrapped in one adapter package per module")
      .check(classes);
  }

  @Test
  void nodeWideStateOnlyThroughNodeState() {
    noFields().should().haveRawType(WeakHashMap.class)
      .because("node-wide state is kept per Vert.x instance by NodeState").check(classes);
    noClasses().that().doNotHaveFullyQualifiedName(NodeState.class.getName())
      .should().callMethod(SharedData.class, "getLocalMap", String.class)
      .because("node-wide state is kept in one place, NodeState").check(classes);
  }

  @Test
  void gatewayCommonDependsOnNoOtherModule() {
    rule(COMMON, GATEWAY, ROUTER, PERSISTENCE, NODE, DEV, EXAMPLES).check(classes);
  }

  @Test
  void theRolesDoNotDependOnEachOther() {
    rule(GATEWAY, ROUTER, PERSISTENCE, NODE, DEV, EXAMPLES).check(classes);
    rule(ROUTER, GATEWAY, PERSISTENCE, NODE, DEV, EXAMPLES).check(classes);
    rule(PERSISTENCE, GATEWAY, ROUTER, NODE, DEV, EXAMPLES).check(classes);
  }

  @Test
  void theFlushsRespConnectionStaysWithTheFlush() {
    noClasses().that().resideOutsideOfPackages(PERSISTENCE_ROOT, RESP)
      .should().dependOnClassesThat().resideInAPackage(RESP)
      .because("the RESP connection exists for the flush's bulk reads (FlushConnection says why); everything else "
        + "uses the Vert.x Redis client")
      .check(classes);
    noClasses().that().doNotHaveFullyQualifiedName(PERSISTENCE_ROOT + ".FlushConnection")
      .should().callMethodWhere(target(declaredIn(RESP + ".RespConnection")).and(target(name("connect"))))
      .because("the flush's connection is the one place that opens a RESP connection")
      .check(classes);
  }

  private static ArchRule rule(String module, String... notOn) {
    return noClasses().that().resideInAPackage(module).should().dependOnClassesThat().resideInAnyPackage(notOn)
      .because("modules depend downwards only: common, then the roles, then the node");
  }

  /** Each package of the module (its root package included) a slice of its own. */
  private static SliceAssignment packagesOf(String module) {
    return new SliceAssignment() {
      @Override
      public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
        String pkg = javaClass.getPackageName();
        return pkg.equals(module) || pkg.startsWith(module + ".") ? SliceIdentifier.of(pkg)
          : SliceIdentifier.ignore();
      }

      @Override
      public String getDescription() {
        return "the packages of " + module;
      }
    };
  }
}
