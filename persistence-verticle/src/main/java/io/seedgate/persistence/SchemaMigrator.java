package io.seedgate.persistence;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.CRC32;

/**
 * Brings the database schema up to date with the versioned scripts {@code db/migration/V<n>__<name>.sql} on the
 * class path.
 *
 * <p>All missing versions are applied in one transaction, in version order, while holding a transaction-scoped
 * advisory lock, and recorded in {@code seed_schema_version}; so several nodes may migrate at once (one does the
 * work, the others then find nothing to do) and running it again changes nothing. A script that changed after it
 * was applied is reported, not applied again.
 */
public final class SchemaMigrator {

  private static final Logger LOG = LoggerFactory.getLogger(SchemaMigrator.class);
  static final String LOCATION = "db/migration";
  private static final Pattern NAME = Pattern.compile("V(\\d+)__(\\w+)\\.sql");

  /** One versioned script. */
  public record Migration(int version, String description, String sql, long checksum) {
  }

  private final Pool pool;

  public SchemaMigrator(Pool pool) {
    this.pool = pool;
  }

  /**
   * Applies the missing migrations.
   *
   * @return the versions applied now (empty when the schema was up to date); fails with the database error, in
   * which case nothing was applied
   */
  public Future<List<Integer>> migrate(List<Migration> migrations) {
    return pool.withTransaction(conn -> conn.query(PlayerSql.LOCK_MIGRATION).execute()
      .compose(v -> conn.query(PlayerSql.QUIET_MIGRATION).execute())
      .compose(v -> conn.query(PlayerSql.CREATE_SCHEMA_VERSION).execute())
      .compose(v -> conn.query(PlayerSql.SELECT_SCHEMA_VERSIONS).execute())
      .compose(rows -> {
        Map<Integer, Long> applied = new HashMap<>();
        for (Row row : rows) {
          applied.put(row.getInteger("version"), row.getLong("checksum"));
        }
        List<Migration> missing = new ArrayList<>();
        for (Migration m : migrations) {
          Long checksum = applied.get(m.version());
          if (checksum == null) {
            missing.add(m);
          } else if (checksum != m.checksum()) {
            LOG.warn("[schema: V{}] script {} changed after it was applied; it is not applied again", m.version(),
              m.description());
          }
        }
        return applyAll(conn, missing, 0, new ArrayList<>());
      }))
      .onSuccess(done -> {
        if (!done.isEmpty()) {
          LOG.info("[schema: {}] migrations applied", done.stream().map(v -> "V" + v)
            .collect(Collectors.joining(" ")));
        }
      });
  }

  private Future<List<Integer>> applyAll(SqlConnection conn, List<Migration> missing, int i, List<Integer> done) {
    if (i == missing.size()) {
      return Future.succeededFuture(done);
    }
    Migration m = missing.get(i);
    return conn.query(m.sql()).execute()
      .compose(v -> conn.preparedQuery(PlayerSql.INSERT_SCHEMA_VERSION)
        .execute(Tuple.of(m.version(), m.description(), m.checksum())))
      .compose(v -> {
        done.add(m.version());
        return applyAll(conn, missing, i + 1, done);
      });
  }

  /**
   * The migrations on the class path, in version order. Blocking (it reads the class path): call it from
   * {@code executeBlocking}.
   *
   * @throws IllegalStateException when two scripts have the same version
   */
  public static List<Migration> loadMigrations() {
    ClassLoader loader = SchemaMigrator.class.getClassLoader();
    TreeSet<String> names = new TreeSet<>();
    try {
      Enumeration<URL> roots = loader.getResources(LOCATION);
      while (roots.hasMoreElements()) {
        names.addAll(list(roots.nextElement()));
      }
      List<Migration> migrations = new ArrayList<>();
      for (String name : names) {
        Matcher m = NAME.matcher(name);
        if (!m.matches()) {
          continue;
        }
        String sql;
        try (InputStream in = loader.getResourceAsStream(LOCATION + "/" + name)) {
          sql = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        CRC32 crc = new CRC32();
        crc.update(sql.getBytes(StandardCharsets.UTF_8));
        migrations.add(new Migration(Integer.parseInt(m.group(1)), m.group(2), sql, crc.getValue()));
      }
      migrations.sort(Comparator.comparingInt(Migration::version));
      for (int i = 1; i < migrations.size(); i++) {
        if (migrations.get(i).version() == migrations.get(i - 1).version()) {
          throw new IllegalStateException("two migration scripts have version " + migrations.get(i).version());
        }
      }
      return migrations;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the migration scripts in " + LOCATION, e);
    }
  }

  private static List<String> list(URL root) throws IOException {
    List<String> names = new ArrayList<>();
    switch (root.getProtocol()) {
      case "file" -> {
        try (Stream<Path> files = Files.list(Path.of(root.toURI()))) {
          files.forEach(p -> names.add(p.getFileName().toString()));
        } catch (URISyntaxException e) {
          throw new IOException("bad migration location " + root, e);
        }
      }
      case "jar" -> {
        JarURLConnection connection = (JarURLConnection) root.openConnection();
        connection.setUseCaches(false);
        try (JarFile jar = connection.getJarFile()) {
          String prefix = LOCATION + "/";
          Enumeration<JarEntry> entries = jar.entries();
          while (entries.hasMoreElements()) {
            String entry = entries.nextElement().getName();
            if (entry.startsWith(prefix) && entry.indexOf('/', prefix.length()) < 0 && entry.length() > prefix.length()) {
              names.add(entry.substring(prefix.length()));
            }
          }
        }
      }
      default -> throw new IOException("cannot list migration scripts at " + root);
    }
    return names;
  }
}
