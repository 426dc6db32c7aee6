package io.seedgate.persistence;

import io.vertx.core.Future;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.seedgate.testsupport.Await.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Migrations run in a schema of their own, created for each test, so that a first run can be raced for real. */
class SchemaMigratorTest extends TestSupport {

  private String schema;
  private final List<Pool> pools = new ArrayList<>();

  @BeforeEach
  void createSchema() {
    schema = "seed_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    await(pg.query("CREATE SCHEMA " + schema).execute());
  }

  @AfterEach
  void dropSchema() {
    await(Future.join(pools.stream().map(Pool::close).toList()));
    await(pg.query("DROP SCHEMA " + schema + " CASCADE").execute());
  }

  private Pool poolInSchema() {
    Pool pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(1))
      .connectingTo(PgConnectOptions.fromUri(postgresUrl).addProperty("search_path", schema)).using(vertx).build();
    pools.add(pool);
    return pool;
  }

  @Test
  void findsTheVersionedScriptsInOrder() {
    List<SchemaMigrator.Migration> migrations = SchemaMigrator.loadMigrations();
    assertTrue(migrations.size() >= 1);
    assertEquals(1, migrations.get(0).version());
    assertEquals("players", migrations.get(0).description());
    for (int i = 1; i < migrations.size(); i++) {
      assertTrue(migrations.get(i).version() > migrations.get(i - 1).version());
    }
  }

  @Test
  void runningTwiceAppliesOnce() {
    List<SchemaMigrator.Migration> migrations = SchemaMigrator.loadMigrations();
    Pool pool = poolInSchema();
    List<Integer> first = await(new SchemaMigrator(pool).migrate(migrations));
    List<Integer> second = await(new SchemaMigrator(pool).migrate(migrations));

    assertEquals(migrations.stream().map(SchemaMigrator.Migration::version).toList(), first);
    assertEquals(List.of(), second);
    assertEquals(migrations.size(), versions().size());
    assertTrue(tables().containsAll(List.of("players", "seed_schema_version")));
  }

  @Test
  void concurrentRunsApplyEachVersionOnce() {
    List<SchemaMigrator.Migration> migrations = SchemaMigrator.loadMigrations();
    List<Future<List<Integer>>> runs = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      runs.add(new SchemaMigrator(poolInSchema()).migrate(migrations));
    }
    await(Future.all(runs));

    List<Integer> appliedByAll = new ArrayList<>();
    runs.forEach(r -> appliedByAll.addAll(r.result()));
    assertEquals(migrations.stream().map(SchemaMigrator.Migration::version).toList(), appliedByAll);
    assertEquals(migrations.size(), versions().size());
  }

  @Test
  void twoVerticlesStartingTogetherBothStart() {
    // on the shared schema: whichever migrates (if anything is left to), the other waits on the lock and finds it done
    PersistenceVerticle a = new PersistenceVerticle();
    PersistenceVerticle b = new PersistenceVerticle();
    await(Future.all(
      vertx.deployVerticle(a, new io.vertx.core.DeploymentOptions().setConfig(config(3600, Map.of()).toJson())),
      vertx.deployVerticle(b, new io.vertx.core.DeploymentOptions().setConfig(config(3600, Map.of()).toJson()))));
    assertTrue(a.deploymentID() != null && b.deploymentID() != null);
  }

  private List<Integer> versions() {
    List<Integer> versions = new ArrayList<>();
    for (Row row : await(pg.query("SELECT version FROM " + schema + ".seed_schema_version ORDER BY version")
      .execute())) {
      versions.add(row.getInteger(0));
    }
    return versions;
  }

  private List<String> tables() {
    List<String> tables = new ArrayList<>();
    for (Row row : await(pg.query("SELECT table_name FROM information_schema.tables WHERE table_schema = '"
      + schema + "'").execute())) {
      tables.add(row.getString(0));
    }
    return tables;
  }
}
